#!/usr/bin/env python3
"""The A/B table of make bench AB=REV: the tree's vrng ("a") against REV's
("b") from one guest's console log, round by round.

usage: bench_ab.py CONSOLE_LOG KERNEL_NAME
Each round reads the same bytes from a and b, back to back (a b, then b a,
so that a drift within a round cancels over two), and from the null hwrng.
The ratio a/b of each round is the measurement; the table gives its
geometric mean, spread and a 95% interval, which says how small a
difference this run can resolve, and how many rounds would resolve 3%. Exits non-zero when a round is missing.
"""
import math
import statistics
import sys

MIB = 1 << 20
# two-sided 95% Student t for n-1 degrees of freedom (n rounds), n >= 2
T95 = {1: 12.71, 2: 4.30, 3: 3.18, 4: 2.78, 5: 2.57, 6: 2.45, 7: 2.36,
       8: 2.31, 9: 2.26, 10: 2.23, 15: 2.13, 20: 2.09, 30: 2.04, 60: 2.00}


def t95(df):
    return T95[max(k for k in T95 if k <= df)]


def fields(line):
    return dict(kv.split("=", 1) for kv in line.split()[1:] if "=" in kv)


def parse(path):
    rounds, versions = {}, {}
    for line in open(path, errors="replace"):
        line = line.strip()
        if line.startswith("BENCH-AB "):
            versions = fields(line)
        elif line.startswith("BENCH-RUN "):
            f = fields(line)
            mib_s = int(f["bytes"]) / MIB / (int(f["ns"]) / 1e9)
            rounds.setdefault(int(f["round"]), {})[f["source"]] = mib_s
    return versions, rounds


def main():
    logf, name = sys.argv[1:3]
    versions, rounds = parse(logf)
    full = [r for r in sorted(rounds) if {"a", "b", "null"} <= rounds[r].keys()]
    if len(full) < 2 or len(full) != len(rounds):
        sys.exit(f"bench_ab: {len(full)} complete rounds of {len(rounds)} in {logf}")
    # the ratio of each round on a log scale: a slow moment of the host
    # slows both reads of a round, and a/b and b/a weigh the same
    logs = [math.log(rounds[r]["a"] / rounds[r]["b"]) for r in full]
    sd = statistics.stdev(logs)
    half = t95(len(logs) - 1) * sd / math.sqrt(len(logs))
    mean = math.exp(statistics.mean(logs))
    lo, hi = mean * math.exp(-half), mean * math.exp(half)
    need = math.ceil((2 * sd / math.log(1.03)) ** 2)
    col = {s: [rounds[r][s] for r in full] for s in ("a", "b", "null")}
    print(f"### {name}: a = {versions.get('a', '?')}, b = {versions.get('b', '?')}")
    print()
    print("| source | MiB/s mean | min | max | of null |")
    print("|---|---|---|---|---|")
    null = statistics.mean(col["null"])
    for s in ("a", "b", "null"):
        m = statistics.mean(col[s])
        print(f"| {s} | {m:.1f} | {min(col[s]):.1f} | {max(col[s]):.1f} | {m / null:.3f}x |")
    print()
    print(f"a/b over {len(logs)} rounds: geometric mean {mean:.3f}, 95% interval "
          f"{lo:.3f}-{hi:.3f} (sd of the log ratio {sd:.3f}): resolves "
          f"{100 * (math.exp(half) - 1):.1f}%; about {need} rounds resolve 3%")
    # Under -icount most rounds take exactly the same guest time, and the
    # few that waited for the host are outliers: the median and the best
    # rounds are then the instruction counts' ratio.
    print(f"a/b median of the rounds {math.exp(statistics.median(logs)):.4f}; "
          f"best round of each {max(col['a']) / max(col['b']):.4f}")

if __name__ == "__main__":
    main()
