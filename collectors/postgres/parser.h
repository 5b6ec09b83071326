// Pure parsers of what the postgres collector's queries return. Each query runs as
// `COPY (SELECT ...) TO STDOUT`, so its reply is COPY's text format: a row a line, columns split
// by tabs, \N for NULL, backslash escapes. Each query's text sits beside the parser of its rows,
// so the two agree on the columns.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/parsed.h"

namespace ooe::postgres {

// One row of COPY text output; nullopt is SQL NULL.
using Row = std::vector<std::optional<std::string>>;

// The rows of COPY text output, each with exactly `columns` columns.
Parsed<std::vector<Row>> ParseCopyRows(std::string_view text, size_t columns);

// The server as a whole, and whether Document Server's tables exist (on the search_path of the
// database the target connects to: Document Server's own).
struct ServerState {
  double start_time_seconds = 0;  // pg_postmaster_start_time() as Unix time
  double max_connections = 0;
  std::string version;        // server_version: "15.18 (Debian 15.18-0+deb12u1)"
  std::string short_version;  // "15.18"
  bool in_recovery = false;   // a standby
  double replication_lag_seconds = 0;
  bool has_monitor_role = false;  // the connected role has pg_monitor (superusers do)
  std::string user;
  bool task_result_present = false;
  bool doc_changes_present = false;
  bool tenant_columns = false;  // the 9.x schema: `tenant` in both tables and their keys
};

inline constexpr std::string_view kServerStateQuery =
    "COPY (SELECT extract(epoch FROM pg_postmaster_start_time()),"
    " current_setting('max_connections'), current_setting('server_version'),"
    " pg_is_in_recovery(),"
    " CASE WHEN NOT pg_is_in_recovery() THEN 0"
    "  WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
    "  ELSE greatest(0, extract(epoch FROM now() - pg_last_xact_replay_timestamp())) END,"
    " pg_has_role(current_user, 'pg_monitor', 'USAGE'), current_user,"
    " to_regclass('task_result') IS NOT NULL, to_regclass('doc_changes') IS NOT NULL,"
    " (SELECT count(*) = 2 FROM pg_attribute WHERE attname = 'tenant' AND NOT attisdropped"
    "  AND attrelid IN (to_regclass('task_result'), to_regclass('doc_changes'))))"
    " TO STDOUT";
Parsed<ServerState> ParseServerState(std::string_view text);

// pg_stat_activity per database and state, every state of every database present (0 where no
// session), as postgres_exporter's pg_stat_activity query does.
struct ActivitySample {
  std::string datname;
  std::string state;
  double count = 0;
  double max_transaction_seconds = 0;  // the longest open transaction in this state
};

inline constexpr std::string_view kActivityQuery =
    "COPY (SELECT d.datname, s.state, coalesce(a.count, 0), coalesce(a.max_tx, 0)"
    " FROM (VALUES ('active'), ('idle'), ('idle in transaction'),"
    "  ('idle in transaction (aborted)'), ('fastpath function call'), ('disabled')) AS s(state)"
    " CROSS JOIN pg_database d"
    " LEFT JOIN (SELECT datname, state, count(*) AS count,"
    "  max(extract(epoch FROM now() - xact_start)) AS max_tx"
    "  FROM pg_stat_activity GROUP BY datname, state) a"
    " ON a.state = s.state AND a.datname = d.datname"
    " WHERE d.datallowconn ORDER BY 1, 2) TO STDOUT";
Parsed<std::vector<ActivitySample>> ParseActivity(std::string_view text);

// pg_stat_database and pg_database_size of each database.
struct DatabaseStats {
  std::string datid;
  std::string datname;
  std::optional<double> backends;
  std::optional<double> commits;
  std::optional<double> rollbacks;
  std::optional<double> blocks_read;
  std::optional<double> blocks_hit;
  std::optional<double> rows_returned;
  std::optional<double> rows_fetched;
  std::optional<double> rows_inserted;
  std::optional<double> rows_updated;
  std::optional<double> rows_deleted;
  std::optional<double> conflicts;
  std::optional<double> temp_files;
  std::optional<double> temp_bytes;
  std::optional<double> deadlocks;
  std::optional<double> size_bytes;
};

inline constexpr std::string_view kDatabaseStatsQuery =
    "COPY (SELECT s.datid, s.datname, s.numbackends, s.xact_commit, s.xact_rollback,"
    " s.blks_read, s.blks_hit, s.tup_returned, s.tup_fetched, s.tup_inserted, s.tup_updated,"
    " s.tup_deleted, s.conflicts, s.temp_files, s.temp_bytes, s.deadlocks,"
    " pg_database_size(s.datid)"
    " FROM pg_stat_database s JOIN pg_database d ON d.oid = s.datid"
    " WHERE d.datallowconn ORDER BY 2) TO STDOUT";
Parsed<std::vector<DatabaseStats>> ParseDatabaseStats(std::string_view text);

// pg_locks per database and lock mode, every mode of every database (0 where none held).
struct LockSample {
  std::string datname;
  std::string mode;  // lower case, as postgres_exporter: "accesssharelock"
  double count = 0;
};

inline constexpr std::string_view kLocksQuery =
    "COPY (SELECT d.datname, m.mode, coalesce(l.count, 0)"
    " FROM (VALUES ('accesssharelock'), ('rowsharelock'), ('rowexclusivelock'),"
    "  ('shareupdateexclusivelock'), ('sharelock'), ('sharerowexclusivelock'),"
    "  ('exclusivelock'), ('accessexclusivelock'), ('sireadlock')) AS m(mode)"
    " CROSS JOIN pg_database d"
    " LEFT JOIN (SELECT database, lower(mode) AS mode, count(*) AS count FROM pg_locks"
    "  WHERE database IS NOT NULL GROUP BY database, lower(mode)) l"
    " ON l.mode = m.mode AND l.database = d.oid"
    " WHERE d.datallowconn ORDER BY 1, 2) TO STDOUT";
Parsed<std::vector<LockSample>> ParseLocks(std::string_view text);

// Document Server's save backlog: the co-editing changes in doc_changes not yet saved.
struct SaveBacklog {
  double changes = 0;
  double documents = 0;
  double oldest_change_age_seconds = 0;  // 0 when there is none
  double documents_without_callback = 0;
};

// DocService writes change_date in UTC (a timestamp without time zone), so its age is taken
// against now() in UTC, whatever the server's TimeZone. A document is its id, and its tenant in
// the 9.x schema.
std::string SaveBacklogQuery(bool tenant_columns);
Parsed<SaveBacklog> ParseSaveBacklog(std::string_view text);

// task_result rows by DocService's FileStatus.
struct StatusCount {
  long status = 0;
  double documents = 0;
};

inline constexpr std::string_view kDocumentStatusQuery =
    "COPY (SELECT status, count(*) FROM task_result GROUP BY status ORDER BY 1) TO STDOUT";
Parsed<std::vector<StatusCount>> ParseDocumentStatuses(std::string_view text);

// The label of a FileStatus code ("save_version" for 7), "unknown" for a code DocService does
// not define.
std::string_view FileStatusName(long status);

// Every FileStatus code DocService defines, in order.
const std::vector<long>& KnownFileStatuses();

}  // namespace ooe::postgres
