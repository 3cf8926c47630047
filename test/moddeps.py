#!/usr/bin/env python3
"""Print the modules named on the command line and their dependencies,
dependencies first, as paths relative to the module directory.

usage: moddeps.py MODDIR NAME...   (MODDIR holds a depmod-made modules.dep)
"""
import os
import sys


def stem(path):
    base = os.path.basename(path)
    for ext in (".ko.xz", ".ko.zst", ".ko.gz", ".ko"):
        if base.endswith(ext):
            base = base[: -len(ext)]
    return base.replace("-", "_")


def main():
    moddir, names = sys.argv[1], sys.argv[2:]
    deps, by_name = {}, {}
    with open(os.path.join(moddir, "modules.dep")) as f:
        for line in f:
            mod, _, rest = line.partition(":")
            deps[mod] = rest.split()
            by_name[stem(mod)] = mod
    order, seen = [], set()

    def visit(mod):
        if mod in seen:
            return
        seen.add(mod)
        for dep in deps[mod]:
            visit(dep)
        order.append(mod)

    for name in names:
        mod = by_name.get(name.replace("-", "_"))
        if mod is None:
            builtin = os.path.join(moddir, "modules.builtin")
            with open(builtin) as f:
                if any(stem(l.strip()) == name.replace("-", "_") for l in f):
                    continue
            sys.exit(f"moddeps: no module {name} in {moddir}")
        visit(mod)
    print("\n".join(order))


if __name__ == "__main__":
    main()
