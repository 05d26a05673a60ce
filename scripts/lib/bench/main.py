"""scripts/bench's driver: runs the items against release binaries, writes results.json,
results.md and scaling.png into --out. Figures are printed, never asserted."""
import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import items  # noqa: E402
import report  # noqa: E402

ORDER = ["precision", "widearea", "burst", "cost", "footprint", "scaling", "emulator"]


def machine():
    cpu = "unknown CPU"
    with open("/proc/cpuinfo") as handle:
        for line in handle:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    swift = subprocess.run(["swift", "--version"], capture_output=True, text=True).stdout.splitlines()
    return (f"{os.cpu_count()} x {cpu}, {mem_gib:.0f} GiB, Linux {platform.release()}, "
            f"{swift[0].strip() if swift else 'swift ?'}, Python {platform.python_version()}")


def main():
    parser = argparse.ArgumentParser(prog="scripts/bench")
    parser.add_argument("--bin", required=True, help="directory with release appflowd, appflow-emulator, appflowd-bench")
    parser.add_argument("--out", help="where results.json, results.md and scaling.png go")
    parser.add_argument("--quick", action="store_true", help="a few seconds per item, to check the benchmark works")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (job files, logs, records)")
    parser.add_argument("--items", default=",".join(ORDER), help="comma-separated subset of " + ",".join(ORDER))
    args = parser.parse_args()
    wanted = [item.strip() for item in args.items.split(",") if item.strip()]
    unknown = [item for item in wanted if item not in ORDER]
    if unknown:
        parser.error(f"unknown items: {', '.join(unknown)}")
    if "cost" in wanted and "burst" not in wanted:
        wanted.append("burst")
    if "emulator" in wanted and not os.access(os.path.join(args.bin, "appflowd-bench"), os.X_OK):
        print("note: no appflowd-bench in --bin: skipping the emulator throughput item", flush=True)
        wanted.remove("emulator")
    out = args.out or tempfile.mkdtemp(prefix="appflowd-bench-")
    os.makedirs(out, exist_ok=True)
    workdir = tempfile.mkdtemp(prefix="appflowd-bench-work-")

    began = time.monotonic()

    def log(message):
        load = " ".join(f"{x:.2f}" for x in items.loadavg())
        print(f"[{time.monotonic() - began:7.1f}s load {load}] {message}", flush=True)

    ctx = items.Context(os.path.abspath(args.bin), workdir, args.quick, log)
    results = {"started": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
               "mode": "quick" if args.quick else "full", "machine": machine(), "items": {}}
    for item in ORDER:
        if item not in wanted:
            continue
        item_began = time.monotonic()
        if item == "cost":
            results["items"][item] = items.cost(ctx, results["items"]["burst"])
        elif item == "widearea":
            results["items"][item] = items.wide_area(ctx)
        elif item == "emulator":
            results["items"][item] = items.emulator_throughput(ctx)
        else:
            results["items"][item] = getattr(items, item)(ctx)
        results["items"][item]["seconds"] = round(time.monotonic() - item_began, 1)
        with open(os.path.join(out, "results.json"), "w") as handle:
            json.dump(results, handle, indent=2)
    results["seconds"] = round(time.monotonic() - began, 1)
    with open(os.path.join(out, "results.json"), "w") as handle:
        json.dump(results, handle, indent=2)
    text = report.markdown(results)
    with open(os.path.join(out, "results.md"), "w") as handle:
        handle.write(text)
    if "scaling" in results["items"]:
        report.plot(results, os.path.join(out, "scaling.png"))
    print(text)
    print(f"results: {out}/results.json, results.md" + (", scaling.png" if "scaling" in results["items"] else ""))
    if args.keep:
        print(f"work directory kept: {workdir}")
    else:
        subprocess.run(["rm", "-rf", workdir], check=False)


if __name__ == "__main__":
    main()
