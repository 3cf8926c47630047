#!/usr/bin/env python3
"""Turn a bench guest's console log into a table, a CSV and a chart.

usage: bench_report.py CONSOLE_LOG KERNEL_NAME OUT_PREFIX
writes OUT_PREFIX.csv, OUT_PREFIX.md and OUT_PREFIX.svg (gnuplot);
prints the Markdown table.
"""
import re
import statistics
import subprocess
import sys

MIB = 1 << 20


def fields(line):
    return dict(kv.split("=", 1) for kv in line.split()[1:] if "=" in kv)


def parse(path):
    runs, sweep, lat, kernel = [], [], {}, "?"
    for line in open(path, errors="replace"):
        line = line.strip()
        if line.startswith("VRNG-GUEST: kernel"):
            kernel = line.split()[2].rstrip(",")
        elif line.startswith("BENCH-LAT "):
            f = fields(line)
            lat[f["source"]] = int(f["first64_ns"])
        elif line.startswith("BENCH-RUN "):
            f = fields(line)
            rec = {k: int(v) if v.isdigit() else v for k, v in f.items()}
            rec["mib_s"] = rec["bytes"] / MIB / (rec["ns"] / 1e9)
            rec["cpu_ms_per_mib"] = rec["cpu_ns"] / 1e6 / (rec["bytes"] / MIB)
            (sweep if "bufsize" in rec else runs).append(rec)
    return kernel, runs, sweep, lat


def main():
    logf, name, prefix = sys.argv[1:4]
    kernel, runs, sweep, lat = parse(logf)
    if not runs:
        sys.exit(f"bench_report: no BENCH-RUN lines in {logf}")

    with open(prefix + ".csv", "w") as f:
        f.write("kind,source,round,bufsize,depth,bytes,ns,cpu_ns,mib_s,cpu_ms_per_mib\n")
        for kind, recs in (("round", runs), ("sweep", sweep)):
            for r in recs:
                f.write(f"{kind},{r['source']},{r.get('round', '')},{r.get('bufsize', '')},"
                        f"{r.get('depth', '')},{r['bytes']},{r['ns']},{r['cpu_ns']},"
                        f"{r['mib_s']:.3f},{r['cpu_ms_per_mib']:.2f}\n")

    med = {}
    rounds = len({r["round"] for r in runs})
    out = [f"### {name} (guest kernel {kernel}), {rounds} rounds, default parameters", "",
           "| source | MiB per round | MiB/s min | median | max "
           "| guest CPU ms/MiB (median) | first 64 B after probe |",
           "|---|---:|---:|---:|---:|---:|---:|"]
    for src in ("stock", "vrng", "null"):
        rs = [r for r in runs if r["source"] == src]
        if not rs:
            continue
        speeds = [r["mib_s"] for r in rs]
        med[src] = statistics.median(speeds)
        cpu = statistics.median(r["cpu_ms_per_mib"] for r in rs)
        first = f"{lat[src] / 1e6:.1f} ms" if src in lat else "n/a"
        out.append(f"| {src} | {rs[0]['bytes'] / MIB:g} "
                   f"| {min(speeds):.2f} | {med[src]:.2f} | {max(speeds):.2f} "
                   f"| {cpu:.0f} | {first} |")
    out.append("")
    ratios = []
    if "stock" in med and "vrng" in med:
        ratios.append(f"vrng / stock = **{med['vrng'] / med['stock']:.1f}x** (medians)")
    if "null" in med and "vrng" in med:
        by_round = {(r["source"], r["round"]): r["mib_s"] for r in runs}
        pairs = [by_round[("vrng", n)] / by_round[("null", n)]
                 for (src, n) in by_round if src == "vrng" and ("null", n) in by_round]
        ratios.append(f"vrng / null = **{med['vrng'] / med['null']:.2f}x** "
                      f"(round by round: median {statistics.median(pairs):.2f}x, "
                      f"range {min(pairs):.2f}-{max(pairs):.2f}x)")
    out.append("; ".join(ratios))
    out.append("")
    if sweep:
        sizes = sorted({r["bufsize"] for r in sweep})
        depths = sorted({r["depth"] for r in sweep})
        nrep = max(r.get("rep", 1) for r in sweep)
        out += ["", f"Sweep, MiB/s, median of {nrep} reads of "
                f"{sweep[0]['bytes'] / MIB:g} MiB per point:", "",
                "| bufsize \\ depth | " + " | ".join(map(str, depths)) + " |",
                "|---|" + "---:|" * len(depths)]
        reps = {}
        for r in sweep:
            reps.setdefault((r["bufsize"], r["depth"]), []).append(r["mib_s"])
        table = {k: statistics.median(v) for k, v in reps.items()}
        for s in sizes:
            out.append(f"| {s} | " + " | ".join(
                f"{table[(s, d)]:.1f}" if (s, d) in table else "" for d in depths) + " |")
        plot(prefix, name, sizes, depths, table, med)
    text = "\n".join(out) + "\n"
    open(prefix + ".md", "w").write(text)
    print(text)


def plot(prefix, name, sizes, depths, table, med):
    data = prefix + ".dat"
    with open(data, "w") as f:
        for d in depths:
            f.write(f"# depth {d}\n")
            for s in sizes:
                if (s, d) in table:
                    f.write(f"{s} {table[(s, d)]:.3f}\n")
            f.write("\n\n")
    lines = [f"'{data}' index {i} with linespoints title 'vrng depth {d}'"
             for i, d in enumerate(depths)]
    for src, style in (("stock", "dt 2"), ("null", "dt 3")):
        if src in med:
            lines.append(f"{med[src]:.3f} {style} lw 2 title '{src} (median)'")
    script = "\n".join([
        "set terminal svg size 800,500 dynamic",
        f"set output '{prefix}.svg'",
        f"set title 'vrng throughput through /dev/hwrng, {name}'",
        "set logscale xy 2",
        "set xlabel 'bufsize (bytes)'",
        "set ylabel 'MiB/s'",
        "set key bottom right",
        "set grid",
        "plot " + ", ".join(lines),
    ])
    subprocess.run(["gnuplot"], input=script, text=True, check=True)
    import os
    os.unlink(data)


if __name__ == "__main__":
    main()
