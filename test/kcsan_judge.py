#!/usr/bin/env python3
"""Judge the KCSAN reports on a guest's console.

A report runs from its "BUG: KCSAN: ..." line to the next line of "="s.
One that names vrng anywhere (a vrng_* function, the [vrng] or
[vrng_kunit] module) fails the guest. One that does not is the kernel's
own race (seen on 7.2: rcu_pending / rcu_qs, arch_dup_task_struct /
trace_hardirqs_off_finish): it is printed, counted, and does not fail.

usage: kcsan_judge.py CONSOLE_LOG    (exit 1 if a report names vrng)
"""
import re
import sys

VRNG = re.compile(r"\bvrng_|\[vrng(_kunit)?\]")


def reports(lines):
    block = None
    for line in lines:
        if "BUG: KCSAN:" in line:
            block = [line]
        elif block is not None:
            if re.fullmatch(r"=+", line.strip()):
                yield block
                block = None
            else:
                block.append(line)
    if block is not None:
        yield block


def main():
    with open(sys.argv[1], errors="replace") as f:
        lines = [line.rstrip("\r\n") for line in f]
    ours = others = 0
    for block in reports(lines):
        title = block[0][block[0].index("BUG: KCSAN:"):]
        if any(VRNG.search(line) for line in block):
            ours += 1
            print(f"KCSAN report naming vrng: {title}")
        else:
            others += 1
            print(f"KCSAN: the kernel's own race, no vrng frame (not counted): {title}")
    return 1 if ours else 0


if __name__ == "__main__":
    sys.exit(main())
