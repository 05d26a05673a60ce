"""The boto3 peer, run as its own process: a Python scheduler loop that sleeps until each
slot's fire time and calls start_flow (mode "schedule"), or, at one instant, submits every
slot to a pool of threads (mode "burst"). Reads a JSON plan on stdin:
{"mode", "endpoint", "slots": [{"token", "fire"}], "threads"}; prints JSON figures on stdout."""
import json
import resource
import sys
import time
from concurrent.futures import ThreadPoolExecutor


def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def rss_kib():
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    plan = json.load(sys.stdin)
    import boto3
    from botocore.config import Config

    threads = plan.get("threads", 1)
    client = boto3.client("appflow", endpoint_url=plan["endpoint"], region_name="us-east-1",
                          config=Config(max_pool_connections=max(10, threads)))
    slots = sorted(plan["slots"], key=lambda s: s["fire"])
    errors = 0
    idle_rss = rss_kib()

    def start(token):
        client.start_flow(flowName=plan.get("flow", "bench"), clientToken=token)

    cpu_start = cpu_seconds()
    if plan["mode"] == "schedule":
        for slot in slots:
            left = slot["fire"] - time.time()
            if left > 0:
                time.sleep(left)
            try:
                start(slot["token"])
            except Exception:  # noqa: BLE001 - counted, the figures say how many
                errors += 1
    else:
        at = slots[0]["fire"]
        left = at - time.time()
        if left > 0:
            time.sleep(left)
        with ThreadPoolExecutor(max_workers=threads) as pool:
            for future in [pool.submit(start, s["token"]) for s in slots]:
                try:
                    future.result()
                except Exception:  # noqa: BLE001
                    errors += 1
    cpu = cpu_seconds() - cpu_start
    print(json.dumps({"cpu_seconds": cpu, "errors": errors, "calls": len(slots),
                      "idle_rss_kib": idle_rss, "rss_kib": rss_kib()}))


if __name__ == "__main__":
    main()
