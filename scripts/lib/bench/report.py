"""Markdown tables (with the issue's targets) and the scaling plot, from results.json."""


def fmt(value, digits=1):
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}"


def ratio(peer, ours):
    if peer is None or ours is None or ours <= 0:
        return "-"
    return f"{peer / ours:,.0f}x" if peer / ours >= 10 else f"{peer / ours:.1f}x"


def verdict(ok):
    return "met" if ok else "**missed**"


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def three_tools_table(r, title, stats, digits):
    """appflowd, the boto3 loop and the cron-style CLI side by side: one row per statistic
    (key, label), the arrivals, and the peers' ratios."""
    a, b, c = r["appflowd"], r["boto3"], r["cron_cli"]
    rows = [[label, fmt(a[key], digits), fmt(b[key], digits), fmt(c[key], 0), ratio(b[key], a[key]), ratio(c[key], a[key])]
            for key, label in stats]
    rows.append(["StartFlows arrived", f"{a['arrived']}/{a['slots']}", f"{b['arrived']}/{b['slots']}",
                 f"{c['arrived']}/{c['slots']}", "", ""])
    return table([title, "appflowd", "boto3 loop", "cron-style + aws CLI", "boto3 / appflowd", "CLI / appflowd"], rows)


def precision_md(r):
    a, b, c = r["appflowd"], r["boto3"], r["cron_cli"]
    text = three_tools_table(r, "lateness (ms)", (("p50_ms", "p50"), ("p99_ms", "p99"), ("max_ms", "max")), 2)
    ok_p99 = a["p99_ms"] is not None and a["p99_ms"] < 2
    ok_ratio = all(peer[k] is not None and a[k] and peer[k] / a[k] >= 100 for peer in (b, c) for k in ("p50_ms", "p99_ms"))
    text += (f"\n\nTargets: p99 under 2 ms: {verdict(ok_p99)} ({fmt(a['p99_ms'], 2)} ms); "
             f"at least 100 times better than each peer (p50 and p99): {verdict(ok_ratio)}.")
    return text


def wide_area_md(r):
    a = r["appflowd"]
    text = three_tools_table(r, "arrival minus fire time (ms)", (("min_ms", "min"), ("p50_ms", "p50"), ("max_ms", "max")), 1)
    ok = a["max_ms"] is not None and a["max_ms"] <= r["one_way_ms"] + 3 and a["arrived"] == a["slots"]
    text += (f"\n\nPath: {r['one_way_ms']} ms each way (the floor), a round trip before a new connection carries data, "
             f"idle connections closed after {r['idle_close_seconds']} s; slots {r['gap_seconds']} s apart per tool. "
             f"The proxy saw {r['connections']} connections, {r['closed_idle']} of them closed for idleness.\n\n"
             f"Target: every slot within {r['one_way_ms'] + 3} ms: {verdict(ok)} (worst {fmt(a['max_ms'], 1)} ms).")
    return text


def burst_md(r):
    a, b = r["appflowd"], r["boto3"]
    rows = [
        ["last StartFlow arrived after the slot (s)", fmt(a["last_arrival_s"], 3), fmt(b["last_arrival_s"], 3),
         ratio(b["last_arrival_s"], a["last_arrival_s"])],
        ["first StartFlow arrived after the slot (ms)", fmt(a["first_arrival_s"] * 1000, 1), fmt(b["first_arrival_s"] * 1000, 1), ""],
        ["starts/s (slots / last arrival)", fmt(a["starts_per_second"]), fmt(b["starts_per_second"]),
         ratio(a["starts_per_second"], b["starts_per_second"])],
        ["CPU per start (µs)", fmt(a["cpu_per_start_us"]), fmt(b["cpu_per_start_us"]), ratio(b["cpu_per_start_us"], a["cpu_per_start_us"])],
        ["StartFlows arrived", f"{a['starts']}/{r['slots']}", f"{b['starts']}/{r['slots']}", ""],
    ]
    if "appflowd_info_log" in r:
        i = r["appflowd_info_log"]
        rows.append(["with info-level logging: last arrival (s) / CPU per start (µs)",
                     f"{fmt(i['last_arrival_s'], 3)} / {fmt(i['cpu_per_start_us'])}", "", ""])
    text = table(["burst", "appflowd", "boto3, 32 threads", "appflowd better by"], rows)
    ok = a["last_arrival_s"] is not None and a["last_arrival_s"] <= 1 and a["starts"] == r["slots"]
    return text + f"\n\nTarget: all {r['slots']:,} within 1 s: {verdict(ok)} ({fmt(a['last_arrival_s'], 3)} s)."


def cost_md(r):
    ours = r["appflowd"]["cpu_per_start_us"]
    rows = [["appflowd (log level warning)", fmt(ours), "1x"]]
    if "appflowd_info_log" in r:
        rows.append(["appflowd (log level info, to a file)", fmt(r["appflowd_info_log"]["cpu_per_start_us"]),
                     ratio(r["appflowd_info_log"]["cpu_per_start_us"], ours)])
    rows += [
        ["boto3, long-lived loop (32 threads)", fmt(r["boto3_loop"]["cpu_per_start_us"]), ratio(r["boto3_loop"]["cpu_per_start_us"], ours)],
        ["boto3, one Python process per start", fmt(r["boto3_one_shot"]["cpu_per_start_us"]), ratio(r["boto3_one_shot"]["cpu_per_start_us"], ours)],
        ["aws CLI, one process per start", fmt(r["aws_cli"]["cpu_per_start_us"]), ratio(r["aws_cli"]["cpu_per_start_us"], ours)],
    ]
    text = table(["CPU per StartFlow", "µs", "vs appflowd"], rows)
    cli = r["aws_cli"]["cpu_per_start_us"]
    return text + (f"\n\nTargets: under 100 µs: {verdict(ours < 100)} ({fmt(ours)} µs); at least 3,000 times less "
                   f"than the CLI: {verdict(cli / ours >= 3000)} ({ratio(cli, ours)}).")


def footprint_md(r):
    rows = []
    sizes = sorted(r["sizes"], key=int)
    for size in sizes:
        e = r["sizes"][size]
        rows.append([f"{int(size):,}", fmt(e["ready_median_s"] * 1000), fmt(e["rss_kib"] / 1024, 1),
                     fmt(e["peak_rss_kib"] / 1024, 1), fmt(e["idle_cpu_ms_per_minute"], 2), e["threads"]])
    text = table(["jobs", "exec -> READY=1 (ms, median)", f"RSS after {r['idle_seconds']} s idle (MiB)",
                  "peak RSS (MiB)", "idle CPU (ms/min)", "threads"], rows)
    if len(sizes) >= 2:
        lo, hi = r["sizes"][sizes[0]], r["sizes"][sizes[-1]]
        per_job = (hi["rss_kib"] - lo["rss_kib"]) * 1024 / (int(sizes[-1]) - int(sizes[0]))
        ready_per_job = (hi["ready_median_s"] - lo["ready_median_s"]) / (int(sizes[-1]) - int(sizes[0])) * 1e6
        text += f"\n\nGrowth per job: about {per_job:,.0f} bytes of RSS and {ready_per_job:.1f} µs of startup."
    if "10000" in r["sizes"]:
        e = r["sizes"]["10000"]
        text += (f"\nTargets at 10,000 jobs: READY under 200 ms: {verdict(e['ready_median_s'] < 0.2)} "
                 f"({fmt(e['ready_median_s'] * 1000)} ms); idle RSS under 30 MB: {verdict(e['rss_kib'] * 1024 < 30e6)} "
                 f"({e['rss_kib'] * 1024 / 1e6:.1f} MB).")
    worst = max(e["idle_cpu_ms_per_minute"] for e in r["sizes"].values())
    text += f"\nTarget: idle CPU under 10 ms a minute at every size: {verdict(worst < 10)} (worst {fmt(worst, 2)} ms/min)."
    return text


def scaling_md(r):
    rows = []
    for size in sorted(r["sizes"], key=int):
        e = r["sizes"][size]
        late = e["lateness"]
        rows.append([f"{int(size):,}", fmt(e["ready_s"] * 1000), fmt(e["rss_kib"] / 1024, 1), fmt(late["p50_ms"], 2),
                     fmt(late["p99_ms"], 2), fmt(late["max_ms"], 2), fmt(e["cpu_per_fire_us"]),
                     f"{late['arrived']}/{late['slots']}"])
    return table(["jobs", "READY (ms)", "RSS (MiB)", "lateness p50 (ms)", "p99 (ms)", "max (ms)", "CPU per fire (µs)",
                  "fires"], rows)


def emulator_md(r):
    rows = []
    for run in r["runs"]:
        rows.append([run["emulator_threads"], "on" if run["record"] else "off", fmt(run["requestsPerSecond"]),
                     run["errors"], fmt(run["server_cpu_per_request_us"]), fmt(run["client_cpu_per_request_us"])])
    best = max(run["requestsPerSecond"] for run in r["runs"])
    text = table(["emulator threads", "--record", "signed StartFlow/s", "errors", "emulator CPU/request (µs)",
                  "load generator CPU/request (µs)"], rows)
    return text + f"\n\nTarget: at least 15,000/s: {verdict(best >= 15000)} (best {fmt(best)}/s)."


def markdown(results):
    parts = [f"Run: {results['started']}, mode {results['mode']}, machine: {results['machine']}"]
    sections = [("precision", "Fire precision", precision_md), ("widearea", "Wide area", wide_area_md), ("burst", "Burst", burst_md), ("cost", "Cost per start", cost_md),
                ("footprint", "Footprint", footprint_md), ("scaling", "Scaling", scaling_md),
                ("emulator", "Emulator throughput", emulator_md)]
    for key, title, render in sections:
        if key in results["items"]:
            item = results["items"][key]
            parts.append(f"### {title}\n\n{render(item)}\n\nLoad average (1, 5, 15 min) before: "
                         f"{item['load_before']}, after: {item['load_after']}.")
    return "\n\n".join(parts) + "\n"


def plot(results, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    scaling = results["items"]["scaling"]["sizes"]
    sizes = sorted(scaling, key=int)
    x = [int(s) for s in sizes]
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    axes[0].plot(x, [scaling[s]["lateness"]["p50_ms"] for s in sizes], "o-", label="p50")
    axes[0].plot(x, [scaling[s]["lateness"]["p99_ms"] for s in sizes], "s-", label="p99")
    axes[0].set_title("lateness of a fire (ms)")
    axes[0].legend()
    axes[1].plot(x, [scaling[s]["cpu_per_fire_us"] for s in sizes], "o-", color="tab:green")
    axes[1].set_title("CPU per fire (µs)")
    axes[2].plot(x, [scaling[s]["rss_kib"] / 1024 for s in sizes], "o-", color="tab:red", label="RSS")
    axes[2].set_title("memory and startup")
    axes[2].set_ylabel("RSS (MiB)", color="tab:red")
    ready = axes[2].twinx()
    ready.plot(x, [scaling[s]["ready_s"] * 1000 for s in sizes], "^--", color="tab:purple", label="READY")
    ready.set_ylabel("exec -> READY=1 (ms)", color="tab:purple")
    for axis in axes:
        axis.set_xscale("log")
        axis.set_xlabel("jobs in the job file")
        axis.set_ylim(bottom=0)
        axis.grid(True, alpha=0.3)
    ready.set_ylim(bottom=0)
    fig.suptitle("appflowd scaling (emulator arrival times; " + results["mode"] + " run)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
