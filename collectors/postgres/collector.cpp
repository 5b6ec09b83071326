#include "collectors/postgres/collector.h"

namespace ooe::postgres {
namespace {

// pg_stat_database's columns as postgres_exporter exports them: its counters keep their
// column names (no `_total`), so they are untyped here (see MetricKind).
constexpr FieldMetric<DatabaseStats> kDatabaseMetrics[] = {
    {&DatabaseStats::backends, "pg_stat_database_numbackends", MetricKind::kGauge,
     "Backends connected to this database."},
    {&DatabaseStats::commits, "pg_stat_database_xact_commit", MetricKind::kUntyped,
     "Transactions in this database that committed."},
    {&DatabaseStats::rollbacks, "pg_stat_database_xact_rollback", MetricKind::kUntyped,
     "Transactions in this database that rolled back."},
    {&DatabaseStats::blocks_read, "pg_stat_database_blks_read", MetricKind::kUntyped,
     "Disk blocks read in this database."},
    {&DatabaseStats::blocks_hit, "pg_stat_database_blks_hit", MetricKind::kUntyped,
     "Disk blocks found in PostgreSQL's buffer cache."},
    {&DatabaseStats::rows_returned, "pg_stat_database_tup_returned", MetricKind::kUntyped,
     "Rows returned by queries in this database."},
    {&DatabaseStats::rows_fetched, "pg_stat_database_tup_fetched", MetricKind::kUntyped,
     "Rows fetched by queries in this database."},
    {&DatabaseStats::rows_inserted, "pg_stat_database_tup_inserted", MetricKind::kUntyped,
     "Rows inserted in this database."},
    {&DatabaseStats::rows_updated, "pg_stat_database_tup_updated", MetricKind::kUntyped,
     "Rows updated in this database."},
    {&DatabaseStats::rows_deleted, "pg_stat_database_tup_deleted", MetricKind::kUntyped,
     "Rows deleted in this database."},
    {&DatabaseStats::conflicts, "pg_stat_database_conflicts", MetricKind::kUntyped,
     "Queries canceled by conflicts with recovery (standbys only)."},
    {&DatabaseStats::temp_files, "pg_stat_database_temp_files", MetricKind::kUntyped,
     "Temporary files created by queries in this database."},
    {&DatabaseStats::temp_bytes, "pg_stat_database_temp_bytes", MetricKind::kUntyped,
     "Bytes written to temporary files by queries in this database."},
    {&DatabaseStats::deadlocks, "pg_stat_database_deadlocks", MetricKind::kUntyped,
     "Deadlocks detected in this database."},
};

constexpr std::string_view kTablesHelp =
    "1 when Document Server's table exists in the target's database, 0 when it is missing (a "
    "known start-up failure of DocService).";

}  // namespace

void BuildServerMetrics(const ServerState& state, MetricSet& metrics) {
  metrics.Gauge("pg_postmaster_start_time_seconds", "Unix time the postmaster started.",
                state.start_time_seconds);
  metrics.Gauge("pg_settings_max_connections", "The max_connections setting.",
                state.max_connections);
  metrics.Info("pg_static", "The server's version, value 1.",
               {{"short_version", state.short_version}, {"version", state.version}});
  metrics.Gauge("pg_replication_is_replica", "1 when the server is a standby (in recovery).",
                state.in_recovery ? 1.0 : 0.0);
  metrics.Gauge("pg_replication_lag_seconds",
                "Seconds since the last transaction replayed on a standby that has not caught "
                "up; 0 on a primary.",
                state.replication_lag_seconds);
  metrics.Gauge("onlyoffice_documentserver_database_table_present", kTablesHelp,
                state.task_result_present ? 1.0 : 0.0, {{"table", "task_result"}});
  metrics.Gauge("onlyoffice_documentserver_database_table_present", kTablesHelp,
                state.doc_changes_present ? 1.0 : 0.0, {{"table", "doc_changes"}});
}

void BuildActivityMetrics(const std::vector<ActivitySample>& activity, MetricSet& metrics) {
  for (const auto& sample : activity) {
    const Labels labels = {{"datname", sample.datname}, {"state", sample.state}};
    // A gauge in postgres_exporter; untyped, as promtool's lint rejects a gauge ending in _count.
    metrics.Untyped("pg_stat_activity_count", "Connections in this database and state.",
                    sample.count, labels);
    metrics.Gauge("pg_stat_activity_max_tx_duration",
                  "Seconds the longest open transaction in this database and state has run.",
                  sample.max_transaction_seconds, labels);
  }
}

void BuildDatabaseMetrics(const std::vector<DatabaseStats>& databases, MetricSet& metrics) {
  for (const auto& database : databases) {
    AddFieldMetrics(database, kDatabaseMetrics,
                    {{"datid", database.datid}, {"datname", database.datname}}, metrics);
    if (database.size_bytes) {
      metrics.Gauge("pg_database_size_bytes", "Disk space the database uses.", *database.size_bytes,
                    {{"datname", database.datname}});
    }
  }
}

void BuildLockMetrics(const std::vector<LockSample>& locks, MetricSet& metrics) {
  for (const auto& lock : locks) {
    metrics.Untyped("pg_locks_count", "Locks held in this database, by mode.", lock.count,
                    {{"datname", lock.datname}, {"mode", lock.mode}});
  }
}

void BuildSaveBacklogMetrics(const SaveBacklog& backlog, MetricSet& metrics) {
  metrics.Gauge("onlyoffice_documentserver_unsaved_changes",
                "Co-editing changes in doc_changes not yet saved into a file.", backlog.changes);
  metrics.Gauge("onlyoffice_documentserver_unsaved_documents",
                "Documents with changes in doc_changes not yet saved.", backlog.documents);
  metrics.Gauge("onlyoffice_documentserver_oldest_unsaved_change_age_seconds",
                "Age of the oldest change in doc_changes (0 when none): old changes mean saves "
                "are failing.",
                backlog.oldest_change_age_seconds);
  metrics.Gauge("onlyoffice_documentserver_unsaved_documents_without_callback",
                "Documents with unsaved changes whose task_result has no callback URL: "
                "DocService has nowhere to send them.",
                backlog.documents_without_callback);
}

void BuildDocumentStatusMetrics(const std::vector<StatusCount>& statuses, MetricSet& metrics) {
  constexpr std::string_view kHelp =
      "Documents DocService knows (rows of task_result), by FileStatus.";
  double unknown = 0;
  bool any_unknown = false;
  for (const long code : KnownFileStatuses()) {
    double documents = 0;
    for (const auto& status : statuses) {
      if (status.status == code) documents += status.documents;
    }
    metrics.Gauge("onlyoffice_documentserver_documents", kHelp, documents,
                  {{"status", std::string(FileStatusName(code))}});
  }
  for (const auto& status : statuses) {
    if (FileStatusName(status.status) == "unknown") {
      unknown += status.documents;
      any_unknown = true;
    }
  }
  if (any_unknown) {
    metrics.Gauge("onlyoffice_documentserver_documents", kHelp, unknown, {{"status", "unknown"}});
  }
}

PostgresCollector::PostgresCollector(ConnectionSettings settings,
                                     std::optional<std::string> password,
                                     const TargetOptions& options)
    : description_(settings.ToString()),
      options_(options),
      client_(std::move(settings), std::move(password), options.max_body_bytes) {}

const std::vector<VerdictSeries>& PostgresCollector::Verdicts() const {
  static const std::vector<VerdictSeries> kVerdicts = {
      {"pg_up", "1 when PostgreSQL accepted the connection and answered, 0 otherwise.", {}}};
  return kVerdicts;
}

template <typename Parse, typename Build>
void PostgresCollector::Read(const ScrapeContext& context, std::string_view query,
                             std::string_view what, Parse parse, Build build,
                             std::vector<Error>& errors) {
  // After a timeout or a lost connection the rest of this scrape would only repeat it.
  if (!client_.Connected()) return;
  Error error;
  const auto text = client_.Copy(context, query, what, error);
  if (!text) {
    errors.push_back(std::move(error));
    return;
  }
  const auto parsed = parse(*text);
  if (!parsed) {
    errors.push_back(Error{.operation = "query",
                           .resource = description_,
                           .phase = "parse",
                           .detail = std::string(what) + ": " + parsed.error});
    return;
  }
  build(*parsed);
}

std::vector<Error> PostgresCollector::Collect(const ScrapeContext& context, MetricSet& metrics) {
  const ScrapeContext bounded{options_.Deadline(context.deadline)};
  const auto& up = Verdicts()[0];
  std::vector<Error> errors;
  Error error;
  std::optional<std::string> server_text;
  if (client_.Prepare(bounded, error)) {
    server_text = client_.Copy(bounded, kServerStateQuery, "server state", error);
  }
  Parsed<ServerState> server;
  if (server_text) {
    server = ParseServerState(*server_text);
    if (!server) {
      error = Error{.operation = "query",
                    .resource = description_,
                    .phase = "parse",
                    .detail = "server state: " + server.error};
    }
  }
  if (!server_text || !server) {
    metrics.Gauge(up.name, up.help, 0.0);
    return {std::move(error)};
  }
  metrics.Gauge(up.name, up.help, 1.0);
  BuildServerMetrics(*server, metrics);
  if (!server->has_monitor_role) {
    errors.push_back(Error{
        .operation = "query",
        .resource = description_,
        .phase = "permission",
        .detail = "role " + server->user +
                  " lacks pg_monitor: other roles' sessions, their states and transactions are "
                  "hidden from it",
        .hint = "GRANT pg_monitor TO " + server->user});
  }
  Read(
      bounded, kActivityQuery, "pg_stat_activity", ParseActivity,
      [&](const auto& rows) { BuildActivityMetrics(rows, metrics); }, errors);
  Read(
      bounded, kDatabaseStatsQuery, "pg_stat_database", ParseDatabaseStats,
      [&](const auto& rows) { BuildDatabaseMetrics(rows, metrics); }, errors);
  Read(
      bounded, kLocksQuery, "pg_locks", ParseLocks,
      [&](const auto& rows) { BuildLockMetrics(rows, metrics); }, errors);
  if (server->doc_changes_present && server->task_result_present) {
    Read(
        bounded, SaveBacklogQuery(server->tenant_columns), "doc_changes", ParseSaveBacklog,
        [&](const auto& backlog) { BuildSaveBacklogMetrics(backlog, metrics); }, errors);
    Read(
        bounded, kDocumentStatusQuery, "task_result", ParseDocumentStatuses,
        [&](const auto& rows) { BuildDocumentStatusMetrics(rows, metrics); }, errors);
  }
  return errors;
}

}  // namespace ooe::postgres
