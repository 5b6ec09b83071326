"""The onlyoffice-backends.json dashboard. Redis, nginx, PostgreSQL and RabbitMQ behind Document
Server."""
from panels import (CONVERTTASK, GREEN_RED, Layout, RED_GREEN, UP_DOWN, dashboard, sel, stat,
                    timeseries, variables)


# Document Server's queues (ds.*).
q = 'queue=~"ds\\\\..*"'


def _redis(l):
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


def _nginx(l):
    l.row("nginx (stub_status)")
    l.add(stat("nginx", ['min(nginx_up%s)' % sel()], "none", RED_GREEN,
               "Every nginx target: Document Server's inner nginx and the edge proxy.", UP_DOWN), 6, 4)
    l.add(stat("Connections dropped", ['sum(increase(nginx_connections_accepted%s[$__rate_interval]))'
                                       ' - sum(increase(nginx_connections_handled%s[$__rate_interval]))' % (sel(), sel())],
               "none", GREEN_RED, "Accepted but not handled: nginx hit worker_connections."), 6, 4)
    l.add(timeseries("Requests", [('rate(nginx_http_requests_total%s[$__rate_interval])' % sel(), "{{target}}")],
                     "reqps"), 12, 8)
    l.add(timeseries("Connections",
                     [('nginx_connections_active%s' % sel(), "{{target}} active"),
                      ('nginx_connections_reading%s' % sel(), "{{target}} reading"),
                      ('nginx_connections_writing%s' % sel(), "{{target}} writing"),
                      ('nginx_connections_waiting%s' % sel(), "{{target}} waiting")],
                     "none", "Writing includes requests waiting for docservice's answer."), 24, 8)


def _postgres(l):
    l.row("PostgreSQL and Document Server's tables")
    l.add(stat("PostgreSQL", ['min(pg_up%s)' % sel()], "none", RED_GREEN,
               "Down is a 502 for Document Server 7.x: its docservice exits without its database.",
               UP_DOWN), 4, 4)
    l.add(stat("Schema", ['min(onlyoffice_documentserver_database_table_present%s)' % sel()], "none",
               RED_GREEN, "task_result and doc_changes in the database the exporter reads.",
               [{"type": "value", "options": {"0": {"text": "MISSING", "color": "red"},
                                              "1": {"text": "present", "color": "green"}}}]), 4, 4)
    l.add(stat("Connections of max_connections", ['max(pg:connections_used:ratio%s)' % sel()],
               "percentunit", [(None, "green"), (0.8, "red")]), 4, 4)
    l.add(stat("Longest transaction", ['max(pg_stat_activity_max_tx_duration%s)' % sel()], "s",
               [(None, "green"), (300, "red")], "Over 5 minutes warns."), 4, 4)
    l.add(stat("Oldest unsaved change", ['max(onlyoffice_documentserver_oldest_unsaved_change_age_seconds%s)' % sel()],
               "s", [(None, "green"), (900, "red")],
               "Age of the oldest row in doc_changes: old rows are saves that keep failing (or a "
               "document still open in an editor)."), 4, 4)
    l.add(stat("Restarts", ['sum(changes(pg_postmaster_start_time_seconds%s[$__rate_interval]))' % sel()],
               "none", GREEN_RED, "Postmaster start time changes in the interval."), 4, 4)
    l.add(timeseries("Connections by state",
                     [('sum by (target, state) (pg_stat_activity_count%s)' % sel(), "{{target}} {{state}}"),
                      ('pg_settings_max_connections%s' % sel(), "{{target}} max_connections")],
                     "none"), 12, 8)
    l.add(timeseries("Longest open transaction",
                     [('max by (target, datname) (pg_stat_activity_max_tx_duration%s)' % sel(), "{{target}} {{datname}}")],
                     "s", steps=[(None, "green"), (300, "red")]), 12, 8)
    l.add(timeseries("Transactions",
                     [('sum by (target) (rate(pg_stat_database_xact_commit%s[$__rate_interval]))' % sel(), "{{target}} commits"),
                      ('sum by (target) (rate(pg_stat_database_xact_rollback%s[$__rate_interval]))' % sel(), "{{target}} rollbacks"),
                      ('sum by (target) (rate(pg_stat_database_deadlocks%s[$__rate_interval]))' % sel(), "{{target}} deadlocks")],
                     "ops"), 8, 8)
    l.add(timeseries("Locks by mode",
                     [('sum by (target, mode) (pg_locks_count%s)' % sel(), "{{target}} {{mode}}")], "none"), 8, 8)
    l.add(timeseries("Database size",
                     [('pg_database_size_bytes%s' % sel(), "{{target}} {{datname}}")], "bytes"), 8, 8)
    l.add(timeseries("Unsaved changes (doc_changes)",
                     [('onlyoffice_documentserver_unsaved_changes%s' % sel(), "{{target}} changes"),
                      ('onlyoffice_documentserver_unsaved_documents%s' % sel(), "{{target}} documents"),
                      ('onlyoffice_documentserver_unsaved_documents_without_callback%s' % sel(), "{{target}} documents without callback")],
                     "none", "Changes stay until the document is saved and its callback succeeds."), 8, 8)
    l.add(timeseries("Oldest unsaved change",
                     [('onlyoffice_documentserver_oldest_unsaved_change_age_seconds%s' % sel(), "{{target}}")],
                     "s", steps=[(None, "green"), (900, "red")]), 8, 8)
    l.add(timeseries("Documents by status (task_result)",
                     [('onlyoffice_documentserver_documents%s' % sel(), "{{target}} {{status}}")], "none",
                     "DocService's FileStatus: save_version is a save being built, err a failed one."), 8, 8)
    l.add(timeseries("Replication lag",
                     [('pg_replication_lag_seconds%s' % sel(), "{{target}}")], "s",
                     "Standbys only; 0 on a primary."), 24, 6)


def _rabbitmq(l):
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


def build():
    l = Layout()
    _redis(l)
    _nginx(l)
    _postgres(l)
    _rabbitmq(l)
    return "onlyoffice-backends.json", dashboard(
        "onlyoffice-backends", "ONLYOFFICE / Redis and RabbitMQ",
        "Document Server's Redis (sessions, locks), PostgreSQL (its documents' state, the save "
        "backlog) and RabbitMQ (conversions, pub/sub): up, limits, and the ds.* queues; nginx's "
        "stub_status counters.",
        l, variables("onlyoffice_exporter_build_info"))
