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


NGINX = 'via="nginx"'
DOCSERVICE = 'via="docservice"'
CONVERTTASK = 'queue="ds.converttask"'
STATUS_STEPS = [(None, "red"), (200, "green"), (201, "red")]


@builder
def overview():
    l = Layout()
    l.row("Is Document Server serving?")
    l.add(stat("Through nginx", ['min(onlyoffice_documentserver_healthcheck_up%s)' % sel(NGINX)],
               "none", RED_GREEN,
               "/healthcheck as editors reach it: HTTP 200 with the body true.", UP_DOWN), 6, 5)
    l.add(stat("docservice itself", ['min(onlyoffice_documentserver_healthcheck_up%s)' % sel(DOCSERVICE)],
               "none", RED_GREEN,
               "docservice's own /healthcheck (port 8000). Up here and down through nginx: nginx "
               "or the network; down in both: docservice or a dependency.", UP_DOWN), 6, 5)
    l.add(stat("HTTP status through nginx",
               ['max(onlyoffice_documentserver_healthcheck_http_status%s)' % sel(NGINX)], "none",
               STATUS_STEPS, "502: nothing listens behind nginx; 504: docservice too slow; "
               "0: no answer at all.", text_mode="value"), 6, 5)
    l.add(stat("Healthcheck time",
               ['max(onlyoffice_documentserver_healthcheck_duration_seconds%s)' % sel(NGINX)], "s",
               [(None, "green"), (1, "orange"), (2, "red")],
               "Milliseconds when healthy; seconds mean the database or storage is slow."), 6, 5)
    l.add(state_timeline("Healthcheck, since when",
                         [('onlyoffice_documentserver_healthcheck_up%s' % sel(), "{{target}} via {{via}}")],
                         "none", UP_DOWN, RED_GREEN,
                         "Red stretches: when the healthcheck failed, and for how long."), 24, 5)
    l.row("Which precursor is red?")
    l.add(stat("Redis", ['min(redis_up%s)' % sel()], "none", RED_GREEN, "", UP_DOWN), 4, 4)
    l.add(stat("RabbitMQ", ['min(rabbitmq_up%s)' % sel()], "none", RED_GREEN, "", UP_DOWN), 4, 4)
    l.add(stat("Converters on ds.converttask",
               ['min(rabbitmq_queue_consumers%s)' % sel(CONVERTTASK)], "none",
               [(None, "red"), (1, "green")],
               "0: nothing converts; documents do not open or save."), 4, 4)
    l.add(stat("Conversions waiting",
               ['sum(rabbitmq_queue_messages_ready%s)' % sel(CONVERTTASK)], "none",
               [(None, "green"), (20, "orange"), (100, "red")]), 4, 4)
    l.add(stat("Highest container memory of its limit",
               ['max(container:memory_usage:ratio%s)' % sel()], "percentunit",
               [(None, "green"), (0.8, "orange"), (0.95, "red")]), 4, 4)
    l.add(stat("Collectors failing",
               ['count(onlyoffice_exporter_collector_success%s == 0) or vector(0)' % sel()], "none",
               [(None, "green"), (1, "red")],
               "A failing collector leaves its part of the stack unwatched; the log says why."), 4, 4)
    l.add(state_timeline("Precursors, since when",
                         [('redis_up%s' % sel(), "redis {{target}}"),
                          ('rabbitmq_up%s' % sel(), "rabbitmq {{target}}"),
                          ('rabbitmq_queue_consumers%s > bool 0' % sel(CONVERTTASK), "converters {{target}}"),
                          ('container_running%s' % sel(), "container {{name}}"),
                          ('onlyoffice_exporter_collector_success%s' % sel(), "collector {{collector}} {{target}}")],
                         "none", UP_DOWN, RED_GREEN), 24, 10)
    l.add(timeseries("Container restarts",
                     [('sum by (name) (increase(container_restarts_total%s[$__rate_interval]))' % sel(), "{{name}}")],
                     "none", "Restarts per interval: a restart loop shows as a steady line.",
                     bars=True), 12, 6)
    l.add(timeseries("Editor connections of the license",
                     [('documentserver:license_connections_used:ratio%s' % sel(), "{{target}} {{mode}}")],
                     "percentunit", "Above 90% for 10 minutes warns.",
                     steps=[(None, "green"), (0.9, "red")], maximum=1), 12, 6)
    return "onlyoffice-overview.json", dashboard(
        "onlyoffice-overview", "ONLYOFFICE / Overview",
        "Is Document Server serving, which precursor of a 502 is red, and since when. The other "
        "ONLYOFFICE dashboards are in the links menu.",
        l, variables("onlyoffice_exporter_build_info"))


@builder
def documentserver():
    t = 'target=~"$target"'
    l = Layout()
    l.row("Healthcheck")
    l.add(stat("Through nginx", ['min(onlyoffice_documentserver_healthcheck_up%s)' % sel(t + ", " + NGINX)],
               "none", RED_GREEN, "", UP_DOWN), 6, 4)
    l.add(stat("docservice", ['min(onlyoffice_documentserver_healthcheck_up%s)' % sel(t + ", " + DOCSERVICE)],
               "none", RED_GREEN, "", UP_DOWN), 6, 4)
    l.add(stat("info.json", ['min(onlyoffice_documentserver_info_up%s)' % sel(t)], "none",
               RED_GREEN, "/info/info.json on docservice answered and parsed.", UP_DOWN), 6, 4)
    l.add(stat("Exporter's JWT", ['max(onlyoffice_documentserver_jwt_rejected%s)' % sel(t)], "none",
               GREEN_RED, "CommandService rejects the exporter's token: its secret is wrong.",
               [{"type": "value", "options": {"0": {"text": "accepted", "color": "green"},
                                              "1": {"text": "REJECTED", "color": "red"}}}]), 6, 4)
    l.add(timeseries("Healthcheck duration",
                     [('onlyoffice_documentserver_healthcheck_duration_seconds%s' % sel(t), "{{target}} via {{via}}")],
                     "s", "Over 2 s for 10 minutes warns; nginx gives up (504) at 60 s.",
                     steps=[(None, "green"), (2, "red")]), 12, 8)
    l.add(timeseries("HTTP status",
                     [('onlyoffice_documentserver_healthcheck_http_status%s' % sel(t), "{{target}} via {{via}}")],
                     "none", "200 healthy (or body false); 502/504 from nginx; 0 no answer."), 12, 8)
    l.add(timeseries("Failure phase",
                     [('max by (target, via, reason) (onlyoffice_documentserver_healthcheck_failure%s)' % sel(t),
                       "{{target}} via {{via}}: {{reason}}")],
                     "none", "1 for the phase that failed: resolve (DNS), connect, timeout, tls, "
                     "http_status, body (false).", bars=True, maximum=1), 24, 6)
    l.row("Editors and license")
    l.add(timeseries("Connections and the license limit",
                     [('onlyoffice_documentserver_connections%s' % sel(t), "{{target}} {{mode}}"),
                      ('onlyoffice_documentserver_license_connections_limit%s' % sel(t), "{{target}} {{mode}} limit")],
                     "none", "Editor connections open now against what the license allows."), 12, 8)
    l.add(timeseries("Connections of the license",
                     [('documentserver:license_connections_used:ratio%s' % sel(t), "{{target}} {{mode}}")],
                     "percentunit", "Above 90% for 10 minutes warns.",
                     steps=[(None, "green"), (0.9, "red")], maximum=1), 12, 8)
    l.add(timeseries("Users",
                     [('onlyoffice_documentserver_users%s' % sel(t), "{{target}} {{mode}} {{kind}}")],
                     "none", "Users with a document open now (unique and anonymous)."), 12, 8)
    l.add(timeseries("Peak connections",
                     [('onlyoffice_documentserver_connections_max%s' % sel(t + ', period=~"hour|day"'),
                       "{{target}} {{mode}} ({{period}})")],
                     "none", "The most connections at once in the last hour and day, as DocService "
                     "counts them."), 12, 8)
    l.add(stat("License days left",
               ['min((onlyoffice_documentserver_license_end_timestamp_seconds%s - time()) / 86400)' % sel(t)],
               "d", [(None, "red"), (14, "orange"), (30, "green")],
               "Empty when the license does not end (the open-source build's)."), 8, 5)
    l.add(table("Version",
                [('max by (target, version, build) (onlyoffice_documentserver_build_info%s)' % sel(t), "")],
                "none", "Document Server's version and build."), 8, 5)
    l.add(table("CommandService",
                [('max by (target, command) (onlyoffice_documentserver_command_error%s)' % sel(t), "")],
                "none", "Error code per command: 0 ok, 1 bad request, 6 token invalid, 7 expired.",
                steps=[(None, "green"), (1, "red")]), 8, 5)
    return "onlyoffice-documentserver.json", dashboard(
        "onlyoffice-documentserver", "ONLYOFFICE / Document Server",
        "The healthcheck through nginx and on docservice (status, time, failure phase), editor "
        "connections against the license, its end date, version and CommandService.",
        l, variables("onlyoffice_documentserver_healthcheck_up",
                     [("target", "Document Server",
                       'label_values(onlyoffice_documentserver_healthcheck_up{job=~"$job", instance=~"$instance"}, target)')]))


@builder
def backends():
    l = Layout()
    l.row("Redis")
    l.add(stat("Redis", ['min(redis_up%s)' % sel()], "none", RED_GREEN, "", UP_DOWN), 6, 4)
    l.add(stat("Memory of maxmemory", ['max(redis:memory_used:ratio%s)' % sel()], "percentunit",
               [(None, "green"), (0.9, "red")], "Empty when maxmemory is not set."), 6, 4)
    l.add(stat("Clients of maxclients", ['max(redis:clients_used:ratio%s)' % sel()], "percentunit",
               [(None, "green"), (0.8, "red")]), 6, 4)
    l.add(stat("Evicted keys", ['sum(increase(redis_evicted_keys_total%s[$__rate_interval]))' % sel()],
               "none", [(None, "green"), (1, "red")], "Keys evicted in the last interval: lost editor state."), 6, 4)
    l.add(timeseries("Memory",
                     [('redis_memory_used_bytes%s' % sel(), "{{target}} used"),
                      ('redis_memory_max_bytes%s > 0' % sel(), "{{target}} maxmemory")],
                     "bytes"), 12, 8)
    l.add(timeseries("Clients",
                     [('redis_connected_clients%s' % sel(), "{{target}} connected"),
                      ('redis_blocked_clients%s' % sel(), "{{target}} blocked"),
                      ('redis_config_maxclients%s' % sel(), "{{target}} maxclients")],
                     "none"), 12, 8)
    l.add(timeseries("Commands",
                     [('rate(redis_commands_processed_total%s[$__rate_interval])' % sel(), "{{target}}")],
                     "ops"), 8, 8)
    l.add(timeseries("Keyspace hits and misses",
                     [('rate(redis_keyspace_hits_total%s[$__rate_interval])' % sel(), "{{target}} hits"),
                      ('rate(redis_keyspace_misses_total%s[$__rate_interval])' % sel(), "{{target}} misses")],
                     "ops"), 8, 8)
    l.add(timeseries("Evictions and rejected connections",
                     [('rate(redis_evicted_keys_total%s[$__rate_interval])' % sel(), "{{target}} evicted"),
                      ('rate(redis_rejected_connections_total%s[$__rate_interval])' % sel(), "{{target}} rejected")],
                     "ops"), 8, 8)
    q = 'queue=~"ds\\\\..*"'
    l.row("RabbitMQ")
    l.add(stat("RabbitMQ", ['min(rabbitmq_up%s)' % sel()], "none", RED_GREEN, "", UP_DOWN), 6, 4)
    l.add(stat("Converters on ds.converttask", ['min(rabbitmq_queue_consumers%s)' % sel(CONVERTTASK)],
               "none", [(None, "red"), (1, "green")]), 6, 4)
    l.add(stat("Alarms (memory, disk)",
               ['max(rabbitmq_node_mem_alarm%s) + max(rabbitmq_node_disk_free_alarm%s)' % (sel(), sel())],
               "none", GREEN_RED, "Publishers are blocked while an alarm is on."), 6, 4)
    l.add(stat("Docservices on ds.pubsub", ['sum(rabbitmq_queues_server_named%s)' % sel()], "none",
               [(None, "red"), (1, "green")],
               "Server-named queues: one per docservice bound to the ds.pubsub fanout."), 6, 4)
    l.add(timeseries("Messages ready (ds.*)",
                     [('rabbitmq_queue_messages_ready%s' % sel(q), "{{queue}}")], "none",
                     "ds.converttask waiting conversions; ds.convertdead failed ones."), 12, 8)
    l.add(timeseries("Consumers (ds.*)",
                     [('rabbitmq_queue_consumers%s' % sel(q), "{{queue}}")], "none"), 12, 8)
    l.add(timeseries("Conversion flow (ds.converttask)",
                     [('rate(rabbitmq_queue_messages_published_total%s[$__rate_interval])' % sel(CONVERTTASK), "published"),
                      ('rate(rabbitmq_queue_messages_delivered_total%s[$__rate_interval])' % sel(CONVERTTASK), "delivered"),
                      ('rate(rabbitmq_queue_messages_ack_total%s[$__rate_interval])' % sel(CONVERTTASK), "acknowledged")],
                     "ops"), 12, 8)
    l.add(timeseries("File descriptors",
                     [('rabbitmq_fd_used%s' % sel(), "{{node}} used"),
                      ('rabbitmq_fd_available%s' % sel(), "{{node}} available")], "none"), 12, 8)
    l.add(timeseries("Node memory",
                     [('rabbitmq_node_mem_used%s' % sel(), "{{node}} used"),
                      ('rabbitmq_node_mem_limit%s' % sel(), "{{node}} high watermark")], "bytes"), 12, 8)
    l.add(timeseries("Disk free",
                     [('rabbitmq_node_disk_free%s' % sel(), "{{node}} free"),
                      ('rabbitmq_node_disk_free_limit%s' % sel(), "{{node}} limit")], "bytes"), 12, 8)
    return "onlyoffice-backends.json", dashboard(
        "onlyoffice-backends", "ONLYOFFICE / Redis and RabbitMQ",
        "Document Server's Redis (sessions, locks) and RabbitMQ (conversions, pub/sub): up, "
        "limits, and the ds.* queues.",
        l, variables("onlyoffice_exporter_build_info"))


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
