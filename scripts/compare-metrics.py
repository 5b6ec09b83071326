#!/usr/bin/env python3
"""Compares two /metrics outputs of the same stack by shape: metric families (type, help),
series (name and labels) and which of them have a value, ignoring the values themselves and the
label values that change from one run of a stack to the next (container ids, node names with
ports). Exit status 0 when the shapes are the same.

Usage: scripts/compare-metrics.py BEFORE.txt AFTER.txt [--ignore-label NAME ...]
"""
import re
import sys

VOLATILE = {"id", "node", "cluster", "tcp_port", "revision"}  # ids, ports, the build
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:\\.|[^"\\])*)"')


def shape(path, volatile):
    families, series = {}, set()
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("# HELP ") or line.startswith("# TYPE "):
            kind, name, text = line[2:6], *line[7:].split(" ", 1)
            families.setdefault(name, {})[kind] = text
            continue
        match = SAMPLE.match(line)
        if not match:
            continue
        labels = tuple(sorted((k, "*" if k in volatile else v)
                              for k, v in LABEL.findall(match.group(3) or "")))
        series.add((match.group(1), labels))
    return families, series


def main():
    args = sys.argv[1:]
    volatile = set(VOLATILE)
    while "--ignore-label" in args:
        at = args.index("--ignore-label")
        volatile.add(args[at + 1])
        del args[at:at + 2]
    if len(args) != 2:
        sys.exit(__doc__)
    (before_families, before), (after_families, after) = (shape(p, volatile) for p in args)
    different = False
    for name in sorted(set(before_families) | set(after_families)):
        if before_families.get(name) != after_families.get(name):
            different = True
            print(f"family {name}: {before_families.get(name)} -> {after_families.get(name)}")
    for only, label in ((before - after, "only before"), (after - before, "only after")):
        for name, labels in sorted(only):
            different = True
            print(f"{label}: {name}{{{', '.join(f'{k}={v}' for k, v in labels)}}}")
    print(f"{len(before_families)} / {len(after_families)} families, "
          f"{len(before)} / {len(after)} series: {'different' if different else 'the same'}")
    sys.exit(1 if different else 0)


if __name__ == "__main__":
    main()
