#!/usr/bin/env python3
"""Print the shell block of README.md tagged <!-- vrng-test: NAME -->, so
that the guests run the README's commands exactly as written.

usage: readme_block.py README NAME
"""
import sys


def main():
    path, name = sys.argv[1], sys.argv[2]
    lines = open(path).read().splitlines()
    tag = f"<!-- vrng-test: {name} -->"
    try:
        i = lines.index(tag)
    except ValueError:
        sys.exit(f"readme_block: no block tagged {name} in {path}")
    if not lines[i + 1].startswith("```"):
        sys.exit(f"readme_block: tag {name} is not followed by a code fence")
    out = []
    for line in lines[i + 2:]:
        if line.startswith("```"):
            print("\n".join(out))
            return
        out.append(line)
    sys.exit(f"readme_block: block {name} is not closed")


if __name__ == "__main__":
    main()
