"""The cron-style peer: what a crontab line or a systemd timer does, one process per slot.
systemd-run --on-calendar needs a running systemd (PID 1), which a container does not have;
this loop stands in for it, and is kinder than either: it wakes at the exact millisecond (cron
has minute resolution, a timer's AccuracySec= defaults to 1 min) and then forks and execs
`aws appflow start-flow`, without waiting for it, as cron does. Reads a JSON plan on stdin:
{"endpoint", "slots": [{"token", "fire"}]}; prints JSON figures on stdout."""
import json
import os
import resource
import subprocess
import sys
import time


def main():
    plan = json.load(sys.stdin)
    children = []
    for slot in sorted(plan["slots"], key=lambda s: s["fire"]):
        left = slot["fire"] - time.time()
        if left > 0:
            time.sleep(left)
        children.append(subprocess.Popen(
            ["aws", "appflow", "start-flow", "--flow-name", plan.get("flow", "bench"),
             "--client-token", slot["token"], "--endpoint-url", plan["endpoint"],
             "--region", "us-east-1", "--output", "json"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=os.environ))
    errors = sum(1 for child in children if child.wait() != 0)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"cpu_seconds": usage.ru_utime + usage.ru_stime, "errors": errors, "calls": len(children)}))


if __name__ == "__main__":
    main()
