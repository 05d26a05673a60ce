"""Job files for the benchmark and the slots they produce, computed here from the contract's
formulas (SPEC section 3), independently of appflowd, and cross-checked with `appflowd next`."""
import datetime
import hashlib
import json
import subprocess

FLOW = "bench"


def client_token(job, slot, flow=FLOW, salt=""):
    digest = hashlib.sha256(f"{salt}\n{job}\n{flow}\n{slot}".encode()).hexdigest()
    return "appflowd-" + digest[:32]


def jitter_ms(token, jitter_total_ms):
    if jitter_total_ms <= 0:
        return 0
    digest = hashlib.sha256(("jitter\n" + token).encode()).digest()
    return int.from_bytes(digest[:8], "big") % jitter_total_ms


def rfc3339(seconds):
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class JobFileBuilder:
    """Writes a job file; `slots` lists the timed slots ({job, token, nominal, fire}) it holds."""

    def __init__(self, max_concurrency=64, rate_limit=0):
        self.lines = [
            'region = "us-east-1"',
            'timezone = "UTC"',
            f"max_concurrency = {max_concurrency}",
            f"rate_limit = {rate_limit}",
            "",
        ]
        self.slots = []
        self.count = 0

    def at_job(self, name, slot, jitter_seconds=0):
        """A one-shot job: fires once at `slot` (whole Unix seconds) plus its jitter."""
        self.count += 1
        self.lines += ["[[job]]", f'name = "{name}"', f'flow = "{FLOW}"', f'at = ["{rfc3339(slot)}"]']
        if jitter_seconds:
            self.lines.append(f'jitter = "{jitter_seconds}s"')
        self.lines.append("")
        token = client_token(name, slot)
        fire = slot + jitter_ms(token, jitter_seconds * 1000) / 1000
        self.slots.append({"job": name, "token": token, "nominal": slot, "fire": fire})

    def idle_job(self, name, index, now):
        """A job that will not fire for at least an hour: the four schedule kinds in turn."""
        self.count += 1
        kind = index % 4
        base = int(now) + 3600 + (index % 7200)
        when = datetime.datetime.fromtimestamp(base + 3600 * (kind + 1), datetime.timezone.utc)
        if kind == 0:
            schedule = f'every = "1d"\noffset = "{base % 86400}s"'
        elif kind == 1:
            schedule = f'cron = "{when.minute} {when.hour} * * *"'
        elif kind == 2:
            schedule = f'calendar = "*-*-* {when:%H:%M:%S}"'
        else:
            schedule = f'at = ["{rfc3339(base + 86400)}"]'
        self.lines += ["[[job]]", f'name = "{name}"', f'flow = "{FLOW}"', schedule, ""]

    def write(self, path):
        with open(path, "w") as handle:
            handle.write("\n".join(self.lines) + "\n")
        return path


def cross_check(bin_dir, config, slots, sample=20):
    """`appflowd next --json` must agree with our tokens and fire times for a sample of slots."""
    out = subprocess.run([f"{bin_dir}/appflowd", "next", "--config", config, "--json", "--count", "1"],
                         check=True, capture_output=True, text=True).stdout
    by_job = {row["job"]: row for row in json.loads(out)}
    step = max(1, len(slots) // sample)
    for slot in slots[::step]:
        nxt = by_job[slot["job"]]["next"][0]
        fire = datetime.datetime.fromisoformat(nxt["fire"].replace("Z", "+00:00")).timestamp()
        if nxt["clientToken"] != slot["token"] or abs(fire - slot["fire"]) > 0.0005:
            raise RuntimeError(f"appflowd next disagrees for {slot['job']}: {nxt} vs {slot}")
