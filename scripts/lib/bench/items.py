"""The benchmark items. Each returns a dict of figures; the emulator's record (arrival time of
every request) is the clock of truth for lateness and burst duration."""
import json
import os
import subprocess
import sys
import time

from jobs import JobFileBuilder, client_token, cross_check, jitter_ms, FLOW
from procs import CPUSampler, Daemon, Emulator, loadavg, make_tls_files, peer_env, rss_kib, sleep_until
from stats import lateness_summary, median

HERE = os.path.dirname(os.path.abspath(__file__))


class Context:
    def __init__(self, bin_dir, workdir, quick, log):
        self.bin_dir = bin_dir
        self.workdir = workdir
        self.quick = quick
        self.log = log

    def path(self, name):
        return os.path.join(self.workdir, name)


def run_peer(script, plan, endpoint, timeout):
    out = subprocess.run([sys.executable, os.path.join(HERE, script)], input=json.dumps(plan),
                         capture_output=True, text=True, env=peer_env(endpoint), timeout=timeout)
    if out.returncode != 0:
        raise RuntimeError(f"{script} failed: {out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def wait_for_arrivals(emulator, count, timeout):
    deadline = time.time() + timeout
    while emulator.count_start_flows() < count and time.time() < deadline:
        time.sleep(0.2)


def arrivals_by_token(emulator):
    return {row["clientToken"]: row["time"] for row in emulator.start_flows() if row["status"] == 200}


def lateness(slots, arrivals):
    return [arrivals[s["token"]] - s["fire"] for s in slots if s["token"] in arrivals]


def shifted(slots, prefix, new_base, old_base):
    """The same fire-time pattern moved to another base time, with the peer's own tokens."""
    return [{"token": f"{prefix}-{i}", "fire": s["fire"] - old_base + new_base} for i, s in enumerate(slots)]


# 1. Fire precision ------------------------------------------------------------------------------

def precision(ctx):
    count, span = (60, 3) if ctx.quick else (1000, 60)
    lead = 2 if ctx.quick else 5
    emulator = Emulator(ctx.bin_dir, ctx.workdir)
    result = {"slots": count, "span_seconds": span, "load_before": loadavg()}
    try:
        t0 = int(time.time()) + lead
        builder = JobFileBuilder(max_concurrency=64, rate_limit=0)
        for i in range(count):
            builder.at_job(f"p{i:04d}", t0, jitter_seconds=span)
        config = builder.write(ctx.path("precision.toml"))
        cross_check(ctx.bin_dir, config, builder.slots)
        ctx.log(f"precision: appflowd, {count} slots over {span} s")
        daemon = Daemon(ctx.bin_dir, config, emulator.endpoint, workdir=ctx.workdir)
        try:
            if daemon.ready_wall >= t0:
                raise RuntimeError("appflowd was READY only after the first slot; raise the lead time")
            sleep_until(t0 + span + 1)
            wait_for_arrivals(emulator, count, 30)
            result["appflowd_rss_kib"] = rss_kib(daemon.pid)["VmRSS"]
        finally:
            daemon.stop()
            daemon.cleanup()
        arrivals = arrivals_by_token(emulator)
        result["appflowd"] = lateness_summary(lateness(builder.slots, arrivals), count)

        ctx.log(f"precision: boto3 scheduler loop, {count} slots")
        base = time.time() + 3
        boto_slots = shifted(builder.slots, "boto3-precision", base, t0)
        peer = run_peer("peer_boto3.py", {"mode": "schedule", "endpoint": emulator.endpoint, "slots": boto_slots},
                        emulator.endpoint, span + 120)
        arrivals = arrivals_by_token(emulator)
        result["boto3"] = lateness_summary(lateness(boto_slots, arrivals), count)
        result["boto3"]["errors"] = peer["errors"]
        result["boto3_idle_rss_kib"] = peer["idle_rss_kib"]

        # One CLI process costs about a second of CPU: 1,000 a minute would need ten cores.
        # The cron-style peer gets the slots of the same pattern that are at least 1 s apart.
        cron_source, last = [], None
        for slot in sorted(builder.slots, key=lambda s: s["fire"]):
            if last is None or slot["fire"] - last >= 1.0:
                cron_source.append(slot)
                last = slot["fire"]
        ctx.log(f"precision: cron-style loop running the aws CLI, {len(cron_source)} slots")
        base = time.time() + 3
        cron_slots = shifted(cron_source, "cron-precision", base, t0)
        peer = run_peer("peer_cron.py", {"endpoint": emulator.endpoint, "slots": cron_slots},
                        emulator.endpoint, span + 300)
        arrivals = arrivals_by_token(emulator)
        result["cron_cli"] = lateness_summary(lateness(cron_slots, arrivals), len(cron_slots))
        result["cron_cli"]["errors"] = peer["errors"]
        result["cron_cli_cpu_per_start"] = peer["cpu_seconds"] / max(1, peer["calls"])
    finally:
        emulator.stop()
    result["load_after"] = loadavg()
    return result


# 1b. Wide area: arrival at a TLS endpoint across a delaying path ------------------------------

def wide_area(ctx):
    """Each tool's slots are `gap` seconds apart, more than the path's idle close, so every slot
    finds its connection closed; the three tools run at once, their slots interleaved a third of
    a gap apart, each with its own connections. Arrival is the emulator's record (behind the
    path, after TLS): the floor is the one-way delay."""
    one_way_ms, idle_close = 10, 20
    count, gap = (2, 25) if ctx.quick else (10, 25)
    lead = 5
    result = {"slots": count, "gap_seconds": gap, "one_way_ms": one_way_ms, "idle_close_seconds": idle_close,
              "load_before": loadavg()}
    tls_dir = ctx.path("wide-area-tls")
    os.makedirs(tls_dir, exist_ok=True)
    ca, cert, key = make_tls_files(tls_dir)
    emulator = Emulator(ctx.bin_dir, ctx.workdir, tls=(cert, key))
    proxy_log = open(ctx.path("delay-proxy.jsonl"), "w")
    proxy = subprocess.Popen([sys.executable, os.path.join(HERE, "delay_proxy.py"), "--upstream", f"127.0.0.1:{emulator.port}",
                              "--one-way-ms", str(one_way_ms), "--idle-close", str(idle_close)],
                             stdout=subprocess.PIPE, text=True)
    peers = []
    try:
        line = proxy.stdout.readline()
        if not line.startswith("LISTENING"):
            raise RuntimeError(f"delay proxy did not start: {line!r}")
        endpoint = f"https://localhost:{int(line.split()[1])}"
        tls_env = {"AWS_CA_BUNDLE": ca}
        t0 = int(time.time()) + lead + 5
        builder = JobFileBuilder(max_concurrency=4, rate_limit=0)
        for i in range(count):
            builder.at_job(f"w{i:03d}", t0 + i * gap)
        config = builder.write(ctx.path("wide-area.toml"))
        cross_check(ctx.bin_dir, config, builder.slots)
        ctx.log(f"wide area: appflowd, boto3 loop and aws CLI at once, {count} slots each, {gap} s apart, "
                f"{one_way_ms} ms each way, idle close {idle_close} s")
        daemon = Daemon(ctx.bin_dir, config, endpoint, workdir=ctx.workdir, extra_env=tls_env)
        boto_slots = [{"token": f"boto3-wide-{i}", "fire": s["fire"] + gap / 3} for i, s in enumerate(builder.slots)]
        cli_slots = [{"token": f"cli-wide-{i}", "fire": s["fire"] + 2 * gap / 3} for i, s in enumerate(builder.slots)]
        env = peer_env(endpoint)
        env.update(tls_env)
        for script, plan in (("peer_boto3.py", {"mode": "schedule", "endpoint": endpoint, "slots": boto_slots}),
                             ("peer_cron.py", {"endpoint": endpoint, "slots": cli_slots})):
            plan_path = ctx.path(f"wide-area-{script}.json")
            with open(plan_path, "w") as handle:
                json.dump(plan, handle)
            with open(plan_path) as plan_file:
                peer = subprocess.Popen([sys.executable, os.path.join(HERE, script)], stdin=plan_file,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
            peers.append((script, peer))
        try:
            sleep_until(cli_slots[-1]["fire"] + 3)
            wait_for_arrivals(emulator, 3 * count, 30)
        finally:
            daemon.stop()
            daemon.cleanup()
        peer_figures = {}
        for script, peer in peers:
            out, err = peer.communicate(timeout=120)
            if peer.returncode != 0:
                raise RuntimeError(f"{script} failed: {err[-2000:]}")
            peer_figures[script] = json.loads(out.strip().splitlines()[-1])
        arrivals = arrivals_by_token(emulator)
        result["appflowd"] = lateness_summary(lateness(builder.slots, arrivals), count)
        result["boto3"] = lateness_summary(lateness(boto_slots, arrivals), count)
        result["boto3"]["errors"] = peer_figures["peer_boto3.py"]["errors"]
        result["cron_cli"] = lateness_summary(lateness(cli_slots, arrivals), count)
        result["cron_cli"]["errors"] = peer_figures["peer_cron.py"]["errors"]
    finally:
        for _, peer in peers:
            if peer.poll() is None:
                peer.kill()
        proxy.terminate()
        proxy_out, _ = proxy.communicate(timeout=10)
        proxy_log.write(proxy_out)
        proxy_log.close()
        emulator.stop()
    closed = [json.loads(x) for x in proxy_out.splitlines() if x.startswith("{")]
    result["connections"] = len(closed)
    result["closed_idle"] = sum(1 for c in closed if c["reason"] == "idle")
    result["load_after"] = loadavg()
    return result


# 2. Burst and 3. cost per start ---------------------------------------------------------------

def burst_daemon(ctx, emulator, count, log_level, name):
    t0 = int(time.time()) + (3 if ctx.quick else 8)
    builder = JobFileBuilder(max_concurrency=64, rate_limit=0)
    for i in range(count):
        builder.at_job(f"{name}{i:05d}", t0)
    config = builder.write(ctx.path(f"{name}.toml"))
    daemon = Daemon(ctx.bin_dir, config, emulator.endpoint, workdir=ctx.workdir, log_level=log_level)
    try:
        if daemon.ready_wall >= t0 - 0.5:
            raise RuntimeError("appflowd was READY too late for the burst; raise the lead time")
        sleep_until(t0 - 0.3)
        sampler = CPUSampler(daemon.pid, interval=0.2).start()
        notes_before = daemon.notify.count()
        wait_for_arrivals(emulator, count, 120)
        time.sleep(0.5)  # the last answers are read and recorded
        cpu = sampler.stop()
        notes = daemon.notify.count() - notes_before
        rss = rss_kib(daemon.pid)
    finally:
        daemon.stop()
        daemon.cleanup()
    times = sorted(t for t in arrivals_by_token(emulator).values())
    return {
        "starts": len(times),
        "first_arrival_s": times[0] - t0 if times else None,
        "last_arrival_s": times[-1] - t0 if times else None,
        "starts_per_second": len(times) / (times[-1] - t0) if times else None,
        "cpu_seconds": cpu["cpu_seconds"],
        "stat_cpu_seconds": cpu["stat_cpu_seconds"],
        "cpu_per_start_us": cpu["cpu_seconds"] / max(1, len(times)) * 1e6,
        "notify_datagrams": notes,
        "rss_after_kib": rss["VmRSS"],
        "peak_rss_kib": rss["VmHWM"],
    }


def burst(ctx):
    count = 1000 if ctx.quick else 10000
    result = {"slots": count, "max_concurrency": 64, "rate_limit": 0, "load_before": loadavg()}
    for key, level in (("appflowd", "warning"),) + ((("appflowd_info_log", "info"),) if not ctx.quick else ()):
        emulator = Emulator(ctx.bin_dir, ctx.workdir)
        try:
            ctx.log(f"burst: appflowd, {count} slots due in the same second (log level {level})")
            result[key] = burst_daemon(ctx, emulator, count, level, "b" if key == "appflowd" else "i")
        finally:
            emulator.stop()

    emulator = Emulator(ctx.bin_dir, ctx.workdir)
    try:
        ctx.log(f"burst: boto3 with 32 threads, {count} calls")
        t1 = time.time() + 3
        slots = [{"token": f"boto3-burst-{i}", "fire": t1} for i in range(count)]
        peer = run_peer("peer_boto3.py", {"mode": "burst", "threads": 32, "endpoint": emulator.endpoint, "slots": slots},
                        emulator.endpoint, 900)
        times = sorted(arrivals_by_token(emulator).values())
        result["boto3"] = {
            "starts": len(times), "errors": peer["errors"],
            "first_arrival_s": times[0] - t1, "last_arrival_s": times[-1] - t1,
            "starts_per_second": len(times) / (times[-1] - t1),
            "cpu_seconds": peer["cpu_seconds"], "cpu_per_start_us": peer["cpu_seconds"] / max(1, len(times)) * 1e6,
            "rss_kib": peer["rss_kib"],
        }
    finally:
        emulator.stop()
    result["load_after"] = loadavg()
    return result


def cost(ctx, burst_result):
    """CPU per StartFlow of the one-process-per-start peers; appflowd's and the long-lived
    boto3 loop's come from the burst."""
    runs = 2 if ctx.quick else 10
    result = {"runs": runs, "load_before": loadavg()}
    emulator = Emulator(ctx.bin_dir, ctx.workdir)
    env = peer_env(emulator.endpoint)
    one_shot = ("import boto3,sys; boto3.client('appflow', endpoint_url=sys.argv[1], region_name='us-east-1')"
                ".start_flow(flowName='bench', clientToken=sys.argv[2])")
    commands = {
        "aws_cli": lambda i: ["aws", "appflow", "start-flow", "--flow-name", FLOW, "--client-token", f"cli-cost-{i}",
                              "--endpoint-url", emulator.endpoint, "--region", "us-east-1", "--output", "json"],
        "boto3_one_shot": lambda i: [sys.executable, "-c", one_shot, emulator.endpoint, f"oneshot-cost-{i}"],
    }
    try:
        for key, command in commands.items():
            ctx.log(f"cost: {runs} x {key}")
            cpu, wall = [], []
            for i in range(runs):
                began = time.monotonic()
                proc = subprocess.Popen(command(i), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                _, status, usage = os.wait4(proc.pid, 0)
                wall.append(time.monotonic() - began)
                if status != 0:
                    raise RuntimeError(f"{key} failed with status {status}")
                cpu.append(usage.ru_utime + usage.ru_stime)
            result[key] = {"cpu_per_start_us": median(cpu) * 1e6, "wall_per_start_s": median(wall)}
    finally:
        emulator.stop()
    result["appflowd"] = {"cpu_per_start_us": burst_result["appflowd"]["cpu_per_start_us"]}
    if "appflowd_info_log" in burst_result:
        result["appflowd_info_log"] = {"cpu_per_start_us": burst_result["appflowd_info_log"]["cpu_per_start_us"]}
    result["boto3_loop"] = {"cpu_per_start_us": burst_result["boto3"]["cpu_per_start_us"]}
    result["load_after"] = loadavg()
    return result


# 4. Footprint and 5. scaling ------------------------------------------------------------------

def footprint(ctx):
    sizes = [10, 1000] if ctx.quick else [10, 1000, 10000, 100000]
    idle = 1 if ctx.quick else 60
    repeats = 1 if ctx.quick else 3
    result = {"idle_seconds": idle, "sizes": {}, "load_before": loadavg()}
    emulator = Emulator(ctx.bin_dir, ctx.workdir, record=False)
    try:
        for size in sizes:
            builder = JobFileBuilder()
            now = time.time()
            for i in range(size):
                builder.idle_job(f"f{i:06d}", i, now)
            config = builder.write(ctx.path(f"footprint-{size}.toml"))
            ready = []
            entry = {}
            for attempt in range(repeats):
                daemon = Daemon(ctx.bin_dir, config, emulator.endpoint, workdir=ctx.workdir, ready_timeout=600)
                ready.append(daemon.ready_seconds)
                try:
                    if attempt == repeats - 1:
                        ctx.log(f"footprint: {size} jobs, idle {idle} s")
                        time.sleep(0.5 if ctx.quick else 2)
                        entry["rss_ready_kib"] = rss_kib(daemon.pid)["VmRSS"]
                        sampler = CPUSampler(daemon.pid, interval=1.0).start()
                        time.sleep(idle)
                        cpu = sampler.stop()
                        status = rss_kib(daemon.pid)
                        entry.update({
                            "idle_cpu_seconds": cpu["cpu_seconds"], "idle_stat_cpu_seconds": cpu["stat_cpu_seconds"],
                            "idle_cpu_ms_per_minute": cpu["cpu_seconds"] * 1000 * 60 / idle,
                            "rss_kib": status["VmRSS"], "peak_rss_kib": status["VmHWM"], "threads": status["Threads"],
                        })
                finally:
                    daemon.stop()
                    daemon.cleanup()
            entry["ready_seconds"] = ready
            entry["ready_median_s"] = median(ready)
            result["sizes"][str(size)] = entry
    finally:
        emulator.stop()
    result["load_after"] = loadavg()
    return result


def scaling(ctx):
    sizes = [10, 1000] if ctx.quick else [10, 100, 1000, 10000, 100000]
    window = 2 if ctx.quick else 20
    firing_jobs = 10
    result = {"window_seconds": window, "firing_jobs": firing_jobs, "sizes": {}, "load_before": loadavg()}
    for size in sizes:
        emulator = Emulator(ctx.bin_dir, ctx.workdir)
        try:
            builder = JobFileBuilder(max_concurrency=64, rate_limit=0)
            firing = min(size, firing_jobs)
            # The firing jobs come last in the file, so that nothing about their place helps them.
            now = time.time()
            for i in range(size - firing):
                builder.idle_job(f"s{i:06d}", i, now)
            names = [f"fire{i:02d}" for i in range(firing)]
            for name in names:
                builder.count += 1
                builder.lines += ["[[job]]", f'name = "{name}"', f'flow = "{FLOW}"', 'every = "1s"', 'jitter = "990ms"', ""]
            config = builder.write(ctx.path(f"scaling-{size}.toml"))
            ctx.log(f"scaling: {size} jobs, {firing} of them firing every second for {window} s")
            daemon = Daemon(ctx.bin_dir, config, emulator.endpoint, workdir=ctx.workdir, ready_timeout=600)
            try:
                start = int(time.time()) + 2
                slots = []
                for name in names:
                    for slot in range(start, start + window):
                        token = client_token(name, slot)
                        slots.append({"token": token, "fire": slot + jitter_ms(token, 990) / 1000})
                sleep_until(start)
                sampler = CPUSampler(daemon.pid, interval=0.1).start()
                sleep_until(start + window)
                cpu = sampler.stop()
                time.sleep(1.2)
                status = rss_kib(daemon.pid)
            finally:
                daemon.stop()
                daemon.cleanup()
            arrivals = arrivals_by_token(emulator)
            late = lateness_summary(lateness(slots, arrivals), len(slots))
            fired = late["arrived"]
            result["sizes"][str(size)] = {
                "ready_s": daemon.ready_seconds, "rss_kib": status["VmRSS"], "lateness": late,
                "cpu_per_fire_us": cpu["cpu_seconds"] / max(1, fired) * 1e6,
            }
        finally:
            emulator.stop()
    result["load_after"] = loadavg()
    return result


# Foundation: the emulator's own throughput ----------------------------------------------------

def emulator_throughput(ctx):
    seconds, warmup = (2, 0.5) if ctx.quick else (10, 2)
    configs = [(2, False)] if ctx.quick else [(2, False), (1, False), (2, True)]
    result = {"connections": 32, "seconds": seconds, "runs": [], "load_before": loadavg()}
    for threads, record in configs:
        ctx.log(f"emulator: {threads} event loop thread(s), record {'on' if record else 'off'}, 32 connections")
        emulator = Emulator(ctx.bin_dir, ctx.workdir, threads=threads, record=record)
        try:
            load = subprocess.Popen([os.path.join(ctx.bin_dir, "appflowd-bench"), "--port", str(emulator.port),
                                     "--connections", "32", "--warmup", str(warmup), "--seconds", str(seconds)],
                                    stdout=subprocess.PIPE, text=True)
            time.sleep(warmup)
            sampler = CPUSampler(emulator.proc.pid, interval=0.2).start()
            time.sleep(seconds)
            cpu = sampler.stop()
            out, _ = load.communicate(timeout=60)
            figures = json.loads(out.strip().splitlines()[-1])
        finally:
            emulator.stop()
        figures.update({"emulator_threads": threads, "record": record,
                        "server_cpu_per_request_us": cpu["cpu_seconds"] / max(1, figures["requests"]) * 1e6,
                        "client_cpu_per_request_us": figures["clientCPUSeconds"] / max(1, figures["requests"]) * 1e6})
        result["runs"].append(figures)
    result["load_after"] = loadavg()
    return result
