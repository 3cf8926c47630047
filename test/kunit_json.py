#!/usr/bin/env python3
"""Check kunit.py's results (its --json output: kunit.py parsed the KTAP
itself) against the cases the suite's source declares. Prints
"PASS suite.case" / "FAIL suite.case (why)" per case, as ktap.py does for
the harness's own guests, and exits non-zero if any case did not pass
(a skip included) or is missing.

usage: kunit_json.py KUNIT_JSON KUNIT_SOURCE
"""
import json
import sys

from ktap import declared


def statuses(group, out):
    """suite name -> {case: status}, from kunit.py's nested groups."""
    cases = {c["name"]: c.get("status", "FAIL") for c in group.get("test_cases", [])}
    if cases:
        out.setdefault(group["name"], {}).update(cases)
    for sub in group.get("sub_groups", []):
        statuses(sub, out)
    return out


def main():
    want = declared(sys.argv[2])
    with open(sys.argv[1]) as f:
        got = statuses(json.load(f), {})
    bad = 0
    for suite, cases in want.items():
        for case in cases:
            status = got.get(suite, {}).get(case)
            if status == "PASS":
                print(f"PASS {suite}.{case}")
            else:
                bad += 1
                print(f"FAIL {suite}.{case} ({status.lower() if status else 'missing'})")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
