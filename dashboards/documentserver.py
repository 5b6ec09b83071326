"""The onlyoffice-documentserver.json dashboard. Document Server: its healthchecks, what editors
got, editors and license, security."""
from panels import (DOCSERVICE, GREEN_RED, Layout, NGINX, RED_GREEN, UP_DOWN, dashboard, sel,
                    stat, table, timeseries, variables)


# The target variable's selector, in every query.
t = 'target=~"$target"'


def _healthcheck(l):
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


def _editor_outcomes(l):
    l.row("What editors got (Document Server's logs)")
    l.add(timeseries("nginx upstream failures: the 502s and 504s served",
                     [('sum by (target, reason) (increase(onlyoffice_nginx_upstream_failures_total%s[$__rate_interval]))' % sel(t),
                       "{{target}} {{reason}}")],
                     "none", "Requests nginx got no answer for from docservice, from its error log: "
                     "refused (not listening), timeout (504), no_live_upstreams, prematurely_closed, "
                     "resolve, other. Any in the last minute pages.", bars=True), 12, 8)
    l.add(timeseries("docservice and converter errors by cause",
                     [('sum by (target, service, cause) (increase(onlyoffice_documentserver_log_errors_total%s[$__rate_interval]))' % sel(t),
                       "{{target}} {{service}} {{cause}}")],
                     "none", "Log entries at WARN or above with a known cause (a stack trace counts "
                     "once): uncaught_exception pages.", bars=True), 12, 8)
    l.add(timeseries("Log entries by level",
                     [('sum by (target, service, level) (rate(onlyoffice_documentserver_log_entries_total%s[$__rate_interval]))' % sel(t + ', level=~"warn|error|fatal"'),
                       "{{target}} {{service}} {{level}}")],
                     "ops", "Entries a second; more than one ERROR a minute and twice the hour "
                     "before opens a ticket."), 12, 6)
    l.add(timeseries("Log files followed",
                     [('min by (target, log) (onlyoffice_documentserver_log_file_open%s)' % sel(t), "{{target}} {{log}}"),
                      ('max by (target, log) (onlyoffice_documentserver_log_backlog_bytes%s)' % sel(t), "{{target}} {{log}} backlog bytes")],
                     "none", "1 while a log file is open and followed (0: missing or unreadable); "
                     "a backlog is what a scrape left for the next one."), 12, 6)


def _editors_and_license(l):
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


def _security(l):
    l.row("Security")
    l.add(stat("JWT", ['min(onlyoffice_documentserver_jwt_enforced%s)' % sel(t)], "none",
               RED_GREEN, "Whether CommandService refuses a command without a token (probed "
               "every 10 minutes by default).",
               [{"type": "value", "options": {"0": {"text": "OFF", "color": "red"},
                                              "1": {"text": "enforced", "color": "green"}}}]), 6, 5)
    l.add(stat("Publicly known secret", ['max(onlyoffice_documentserver_jwt_known_secret_accepted%s)' % sel(t)],
               "none", GREEN_RED, "Whether a token signed with an example or default secret is "
               "accepted (never which one).",
               [{"type": "value", "options": {"0": {"text": "none accepted", "color": "green"},
                                              "1": {"text": "ACCEPTED", "color": "red"}}}]), 6, 5)
    l.add(stat("Certificate days left",
               [('min by (target, via) ((onlyoffice_documentserver_ssl_earliest_cert_expiry_timestamp_seconds%s'
                 ' - time()) / 86400)' % sel(t), "{{target}} via {{via}}")],
               "d", [(None, "red"), (3, "orange"), (21, "green")],
               "The earliest expiry of the chain each https endpoint presents; a ticket below 21 "
               "days, a page below 3. Empty without https."), 6, 5)
    l.add(stat("Certificate verified",
               [('min by (target, via) (onlyoffice_documentserver_ssl_verified%s)' % sel(t), "{{target}} via {{via}}")],
               "none", RED_GREEN, "Whether the chain verified against the configured CAs.",
               [{"type": "value", "options": {"0": {"text": "NO", "color": "red"},
                                              "1": {"text": "verified", "color": "green"}}}]), 6, 5)


def build():
    l = Layout()
    _healthcheck(l)
    _editor_outcomes(l)
    _editors_and_license(l)
    _security(l)
    return "onlyoffice-documentserver.json", dashboard(
        "onlyoffice-documentserver", "ONLYOFFICE / Document Server",
        "The healthcheck through nginx and on docservice (status, time, failure phase), editor "
        "connections against the license, its end date, version and CommandService.",
        l, variables("onlyoffice_documentserver_healthcheck_up",
                     [("target", "Document Server",
                       'label_values(onlyoffice_documentserver_healthcheck_up{job=~"$job", instance=~"$instance"}, target)')]))
