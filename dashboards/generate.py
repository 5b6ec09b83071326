#!/usr/bin/env python3
"""Writes the Grafana dashboards in this folder. A dashboard is built by its module
(containers.py, overview.py, documentserver.py, backends.py: a function per row), from the panel
kinds in panels.py. Edit the module, run this, commit both.

The dashboards follow Grafana's dashboard-linter rules (tests/unit/dashboards_test.cpp checks
them): a `datasource` variable, `job` and `instance` variables, every selector filtered by
job and instance, a unit on every panel, `$__rate_interval` in every range, counters only
inside rate()/increase().
"""
import json
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ beside the dashboards

import backends  # noqa: E402
import containers  # noqa: E402
import documentserver  # noqa: E402
import overview  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
# The files in the order they are written.
BUILDERS = [containers.build, overview.build, documentserver.build, backends.build]


def main():
    check = "--check" in sys.argv
    stale = []
    for build in BUILDERS:
        filename, content = build()
        text = json.dumps(content, indent=2, sort_keys=False) + "\n"
        path = os.path.join(HERE, filename)
        if check:
            with open(path) as existing:
                if existing.read() != text:
                    stale.append(filename)
        else:
            with open(path, "w") as out:
                out.write(text)
    if stale:
        print("out of date, run dashboards/generate.py: " + ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
