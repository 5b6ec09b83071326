"""The onlyoffice-overview.json dashboard. Is Document Server serving, and which precursor of a 502
is red."""
from panels import (CONVERTTASK, DOCSERVICE, Layout, NGINX, RED_GREEN, STATUS_STEPS, UP_DOWN,
                    dashboard, sel, stat, state_timeline, timeseries, variables)



def _serving(l):
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


def _precursors(l):
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
                          ('pg_up%s' % sel(), "postgres {{target}}"),
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


def build():
    l = Layout()
    _serving(l)
    _precursors(l)
    return "onlyoffice-overview.json", dashboard(
        "onlyoffice-overview", "ONLYOFFICE / Overview",
        "Is Document Server serving, which precursor of a 502 is red, and since when. The other "
        "ONLYOFFICE dashboards are in the links menu.",
        l, variables("onlyoffice_exporter_build_info"))
