#!/usr/bin/env python3
"""Writes the Grafana dashboards in this folder. Edit this file, run it, commit both.

The dashboards follow Grafana's dashboard-linter rules (tests/unit/dashboards_test.cpp checks
them): a `datasource` variable, `job` and `instance` variables, every selector filtered by
job and instance, a unit on every panel, `$__rate_interval` in every range, counters only
inside rate()/increase().
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
SEL = 'job=~"$job", instance=~"$instance"'


def sel(extra=""):
    return "{" + SEL + (", " + extra if extra else "") + "}"


class Layout:
    """Places panels left to right in rows of 24 columns."""

    def __init__(self):
        self.x = 0
        self.y = 0
        self.row_height = 0
        self.next_id = 1
        self.panels = []

    def add(self, panel, w, h):
        if self.x + w > 24:
            self.x = 0
            self.y += self.row_height
            self.row_height = 0
        panel["id"] = self.next_id
        self.next_id += 1
        panel["gridPos"] = {"h": h, "w": w, "x": self.x, "y": self.y}
        self.x += w
        self.row_height = max(self.row_height, h)
        self.panels.append(panel)

    def row(self, title):
        if self.x or self.row_height:
            self.y += self.row_height
        self.x = 0
        self.row_height = 0
        self.panels.append({"id": self.next_id, "type": "row", "title": title, "collapsed": False,
                            "gridPos": {"h": 1, "w": 24, "x": 0, "y": self.y}, "panels": []})
        self.next_id += 1
        self.y += 1


def targets(queries):
    out = []
    for i, query in enumerate(queries):
        expr, legend = query if isinstance(query, tuple) else (query, "")
        out.append({"refId": chr(ord("A") + i), "datasource": DATASOURCE, "expr": expr,
                    "legendFormat": legend, "range": True, "instant": False})
    return out


def thresholds(steps):
    """steps: [(value or None, colour)]"""
    return {"mode": "absolute",
            "steps": [{"value": v, "color": c} for v, c in steps]}


def timeseries(title, queries, unit, description="", stack=False, minimum=0, maximum=None,
               steps=None, bars=False):
    defaults = {"unit": unit, "min": minimum,
                "custom": {"drawStyle": "bars" if bars else "line", "lineWidth": 1,
                           "fillOpacity": 10, "showPoints": "never",
                           "stacking": {"mode": "normal" if stack else "none"},
                           "thresholdsStyle": {"mode": "dashed" if steps else "off"}}}
    if maximum is not None:
        defaults["max"] = maximum
    if steps:
        defaults["thresholds"] = thresholds(steps)
    return {"type": "timeseries", "title": title, "description": description,
            "datasource": DATASOURCE, "targets": targets(queries),
            "fieldConfig": {"defaults": defaults, "overrides": []},
            "options": {"legend": {"displayMode": "table", "placement": "bottom",
                                   "calcs": ["lastNotNull", "max"]},
                        "tooltip": {"mode": "multi", "sort": "desc"}}}


def stat(title, queries, unit, steps, description="", mappings=None, text_mode="value_and_name",
         color_mode="background", decimals=None):
    defaults = {"unit": unit, "thresholds": thresholds(steps), "color": {"mode": "thresholds"},
                "mappings": mappings or []}
    if decimals is not None:
        defaults["decimals"] = decimals
    return {"type": "stat", "title": title, "description": description,
            "datasource": DATASOURCE, "targets": targets(queries),
            "fieldConfig": {"defaults": defaults, "overrides": []},
            "options": {"colorMode": color_mode, "graphMode": "none", "justifyMode": "auto",
                        "textMode": text_mode, "orientation": "auto",
                        "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False}}}


def state_timeline(title, queries, unit, mappings, steps, description=""):
    return {"type": "state-timeline", "title": title, "description": description,
            "datasource": DATASOURCE, "targets": targets(queries),
            "fieldConfig": {"defaults": {"unit": unit, "mappings": mappings,
                                         "thresholds": thresholds(steps),
                                         "color": {"mode": "thresholds"}},
                            "overrides": []},
            "options": {"showValue": "never", "mergeValues": True, "rowHeight": 0.8,
                        "legend": {"showLegend": False}}}


def table(title, queries, unit, description="", steps=None):
    defaults = {"unit": unit}
    if steps:
        defaults["thresholds"] = thresholds(steps)
        defaults["custom"] = {"cellOptions": {"type": "color-background"}}
    t = targets(queries)
    for target in t:
        target["format"] = "table"
        target["instant"] = True
        target["range"] = False
    return {"type": "table", "title": title, "description": description,
            "datasource": DATASOURCE, "targets": t,
            "fieldConfig": {"defaults": defaults, "overrides": []},
            "options": {"showHeader": True},
            "transformations": [{"id": "merge", "options": {}},
                                {"id": "organize", "options": {"excludeByName": {"Time": True}}}]}


UP_DOWN = [{"type": "value", "options": {"0": {"text": "DOWN", "color": "red"},
                                         "1": {"text": "UP", "color": "green"}}}]
RED_GREEN = [(None, "red"), (1, "green")]
GREEN_RED = [(None, "green"), (1, "red")]


def variables(job_metric, extra=()):
    query = lambda q: {"query": q, "refId": "StandardVariableQuery"}
    out = [
        {"name": "datasource", "label": "Data source", "type": "datasource",
         "query": "prometheus", "current": {}, "hide": 0, "refresh": 1, "regex": "",
         "options": []},
        {"name": "job", "label": "Job", "type": "query", "datasource": DATASOURCE,
         "definition": "label_values(%s, job)" % job_metric,
         "query": query("label_values(%s, job)" % job_metric),
         "refresh": 2, "includeAll": True, "multi": True, "allValue": ".+", "current": {},
         "sort": 1, "hide": 0, "options": []},
        {"name": "instance", "label": "Instance", "type": "query", "datasource": DATASOURCE,
         "definition": 'label_values(%s{job=~"$job"}, instance)' % job_metric,
         "query": query('label_values(%s{job=~"$job"}, instance)' % job_metric),
         "refresh": 2, "includeAll": True, "multi": True, "allValue": ".+", "current": {},
         "sort": 1, "hide": 0, "options": []},
    ]
    for name, label, definition in extra:
        out.append({"name": name, "label": label, "type": "query", "datasource": DATASOURCE,
                    "definition": definition, "query": query(definition), "refresh": 2,
                    "includeAll": True, "multi": True, "allValue": ".+", "current": {},
                    "sort": 1, "hide": 0, "options": []})
    return out


def dashboard(uid, title, description, layout, templating):
    return {
        "uid": uid, "title": title, "description": description,
        "tags": ["onlyoffice", "onlyoffice-exporter"], "timezone": "",
        "schemaVersion": 38, "version": 1, "editable": True, "graphTooltip": 1,
        "time": {"from": "now-3h", "to": "now"}, "refresh": "30s",
        "links": [{"title": "ONLYOFFICE dashboards", "type": "dashboards",
                   "tags": ["onlyoffice"], "asDropdown": True, "includeVars": True,
                   "keepTime": True}],
        "annotations": {"list": [{"builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"},
                                  "enable": True, "hide": True, "iconColor": "rgba(0, 211, 255, 1)",
                                  "name": "Annotations & Alerts", "type": "dashboard"}]},
        "templating": {"list": templating},
        "panels": layout.panels,
    }


# --- the dashboards ---------------------------------------------------------------------------
BUILDERS = []


def builder(function):
    BUILDERS.append(function)
    return function


@builder
def containers():
    name = 'name=~"$container"'
    l = Layout()
    l.row("At a glance")
    l.add(stat("Containers not running",
               ['count(container_running%s == 0) or vector(0)' % sel(name)], "none",
               [(None, "green"), (1, "red")],
               "Selected containers whose engine state is not running."), 6, 4)
    l.add(stat("Highest CPU of its limit",
               ['max(container:cpu_usage:ratio%s)' % sel(name)], "percentunit",
               [(None, "green"), (0.8, "orange"), (0.95, "red")],
               "The busiest container's CPU against its quota (host cores when it has none)."), 6, 4)
    l.add(stat("Highest memory of its limit",
               ['max(container:memory_usage:ratio%s)' % sel(name)], "percentunit",
               [(None, "green"), (0.8, "orange"), (0.95, "red")],
               "Working set against the memory limit, for containers that have one."), 6, 4)
    l.add(stat("Restarts",
               ['sum(increase(container_restarts_total%s[$__rate_interval]))' % sel(name)],
               "none", [(None, "green"), (1, "orange"), (3, "red")],
               "Restarts by the engine's restart policy in the last rate interval."), 6, 4)
    l.add(table("State",
                [('max by (name, image, compose_service) (container_running%s)' % sel(name), "running"),
                 ('max by (name, image, compose_service) (container_last_exit_code%s)' % sel(name), "exit code"),
                 ('max by (name, image, compose_service) (container_oom_killed%s)' % sel(name), "OOM killed")],
                "none", "Running (1), last exit code (137: killed) and OOM kill per container."), 24, 7)
    l.row("CPU")
    l.add(timeseries("CPU used, cores",
                     [('container:cpu_usage_cores:rate5m%s' % sel(name), "{{name}}"),
                      ('sum without (cpu) (rate(container_cpu_usage_seconds_total%s[$__rate_interval]))' % sel(name), "{{name}} (now)")],
                     "short", "Cores used (5-minute rate, and the rate over the panel's interval)."), 12, 8)
    l.add(timeseries("CPU of its limit",
                     [('container:cpu_usage:ratio%s' % sel(name), "{{name}}")], "percentunit",
                     "80% for 15 minutes warns (ContainerCpuHigh).",
                     steps=[(None, "green"), (0.8, "red")]), 12, 8)
    l.add(timeseries("Throttled time",
                     [('rate(container_cpu_cfs_throttled_seconds_total%s[$__rate_interval])' % sel(name), "{{name}}")],
                     "s", "Seconds per second the kernel held the container back at its quota."), 12, 8)
    l.add(timeseries("CPU limit, cores",
                     [('container:cpu_limit_cores%s' % sel(name), "{{name}}")], "short",
                     "The quota in cores, or the host's cores when the container has none."), 12, 8)
    l.row("Memory")
    l.add(timeseries("Working set",
                     [('container_memory_working_set_bytes%s' % sel(name), "{{name}}")], "bytes",
                     "Usage minus inactive page cache: what the OOM killer weighs."), 12, 8)
    l.add(timeseries("Working set of its limit",
                     [('container:memory_usage:ratio%s' % sel(name), "{{name}}")], "percentunit",
                     "80% for 15 minutes warns; 95% for 5 minutes pages.",
                     steps=[(None, "green"), (0.8, "orange"), (0.95, "red")]), 12, 8)
    l.add(timeseries("Memory limit",
                     [('container_spec_memory_limit_bytes%s > 0' % sel(name), "{{name}}")], "bytes"), 12, 8)
    l.add(timeseries("Threads",
                     [('container_threads%s' % sel(name), "{{name}}")], "short",
                     "Tasks in the pids cgroup (what docker stats shows as PIDS)."), 12, 8)
    l.row("I/O")
    l.add(timeseries("Network received",
                     [('sum by (name) (rate(container_network_receive_bytes_total%s[$__rate_interval]))' % sel(name), "{{name}}")],
                     "Bps"), 12, 8)
    l.add(timeseries("Network sent",
                     [('sum by (name) (rate(container_network_transmit_bytes_total%s[$__rate_interval]))' % sel(name), "{{name}}")],
                     "Bps"), 12, 8)
    l.add(timeseries("Disk read",
                     [('sum by (name) (rate(container_fs_reads_bytes_total%s[$__rate_interval]))' % sel(name), "{{name}}")],
                     "Bps"), 12, 8)
    l.add(timeseries("Disk written",
                     [('sum by (name) (rate(container_fs_writes_bytes_total%s[$__rate_interval]))' % sel(name), "{{name}}")],
                     "Bps"), 12, 8)
    return "onlyoffice-containers.json", dashboard(
        "onlyoffice-containers", "ONLYOFFICE / Containers",
        "CPU and memory of the Document Server stack's containers against their limits, restarts, "
        "exit codes and health. cAdvisor-compatible names.",
        l, variables("container_last_seen",
                     [("container", "Container", 'label_values(container_last_seen{job=~"$job", instance=~"$instance"}, name)')]))


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
