#!/usr/bin/env python3
"""Check the KUnit results a guest printed against the cases the source
declares. Prints "PASS suite.case" / "FAIL suite.case (why)" per case and
exits non-zero if any case failed or is missing.

usage: ktap.py CONSOLE_LOG KUNIT_SOURCE
"""
import re
import sys


def declared(src):
    """suite name -> case names, from kunit_case arrays and suites."""
    text = open(src).read()
    arrays = {m.group(1): re.findall(r"KUNIT_CASE\((\w+)\)", m.group(2))
              for m in re.finditer(r"struct kunit_case (\w+)\[\] = \{(.*?)\n\};", text, re.S)}
    suites = {}
    for m in re.finditer(r'\.name = "(\w+)",\s*\.test_cases = (\w+),', text):
        suites[m.group(1)] = arrays[m.group(2)]
    return suites


def results(log):
    """suite name -> {case: ok?}, from KTAP-BEGIN/END blocks."""
    out, suite = {}, None
    for line in open(log, errors="replace"):
        line = line.rstrip("\n")
        if line.startswith("KTAP-BEGIN "):
            suite = line.split()[1]
            out[suite] = {}
        elif line.startswith("KTAP-END "):
            suite = None
        elif suite:
            m = re.match(r"^\s+(ok|not ok) \d+ (\w+)", line)
            if m:
                out[suite][m.group(2)] = m.group(1) == "ok" and "# SKIP" not in line
    return out


def main():
    want, got = declared(sys.argv[2]), results(sys.argv[1])
    bad = 0
    for suite, cases in want.items():
        for case in cases:
            r = got.get(suite, {}).get(case)
            if r is True:
                print(f"PASS {suite}.{case}")
            else:
                bad += 1
                why = "missing" if r is None else "failed"
                print(f"FAIL {suite}.{case} ({why})")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
