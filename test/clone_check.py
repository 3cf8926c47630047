#!/usr/bin/env python3
"""Compare what two restored copies of one VM snapshot read from vrng.

Both copies print the bytes they read after the restore between
"VRNG-CLONE-BYTES: ROLE begin" and "... end" lines (base64). The copy with
the VM's own generation ID ("same") serves first what vrng had buffered
when the snapshot was taken; the clone ("new") must serve none of it. A
16-byte run of the clone found anywhere in the same VM's bytes fails.

usage: clone_check.py SAME_CONSOLE_LOG NEW_CONSOLE_LOG
"""
import base64
import sys

RUN = 16


def read_bytes(path, role):
    out, inside = [], False
    with open(path, errors="replace") as f:
        for line in f:
            line = line.strip()
            if line == f"VRNG-CLONE-BYTES: {role} begin":
                inside = True
            elif line == f"VRNG-CLONE-BYTES: {role} end":
                return base64.b64decode("".join(out))
            elif inside:
                out.append(line)
    sys.exit(f"clone_check: no complete '{role}' bytes in {path}")


def main():
    same = read_bytes(sys.argv[1], "same")
    new = read_bytes(sys.argv[2], "new")
    runs = {same[i:i + RUN] for i in range(len(same) - RUN + 1)}
    shared = [i for i in range(0, len(new) - RUN + 1, RUN) if new[i:i + RUN] in runs]
    print(f"clone_check: same VM read {len(same)} bytes, the clone {len(new)}")
    if len(same) < 65536 or len(new) < 65536:
        sys.exit("clone_check: FAIL: too few bytes to compare")
    if shared:
        sys.exit(f"clone_check: FAIL: {len(shared)} of the clone's {RUN}-byte runs "
                 f"were served by the same VM too (first at byte {shared[0]})")
    print(f"clone_check: PASS: no {RUN}-byte run of the clone's is in the same VM's bytes")


if __name__ == "__main__":
    main()
