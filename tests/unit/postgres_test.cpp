// The postgres collector's parsers and metrics, on COPY output captured from a real PostgreSQL
// 15.18 (tests/fixtures/postgres/SOURCES.md), and its configuration's checks.
#include <catch2/catch.hpp>

#include "collectors/postgres/client.h"
#include "collectors/postgres/collector.h"
#include "collectors/postgres/parser.h"
#include "tests/support/collect.h"
#include "tests/support/process.h"
#include "tests/support/scrape.h"

namespace ooe {
namespace {

using test::FindValue;

std::string Fixture(const std::string& name) {
  return test::ReadFile(std::string(OOE_SOURCE_DIR) + "/tests/fixtures/postgres/" + name);
}

template <typename Build>
std::vector<test::Sample> Samples(Build build) {
  MetricSet metrics;
  build(metrics);
  return test::ParseExposition(SerializeText(metrics.Take()));
}

}  // namespace

TEST_CASE("COPY text: NULL, escapes and the column count are read exactly") {
  const auto rows = postgres::ParseCopyRows("a\\tb\t\\N\tc\\\\d\\n\t\\101\\x42\n", 4);
  REQUIRE(rows);
  REQUIRE(rows->size() == 1);
  const auto& row = rows->front();
  CHECK(row[0] == "a\tb");
  CHECK_FALSE(row[1].has_value());
  CHECK(row[2] == "c\\d\n");
  CHECK(row[3] == "AB");
  CHECK(postgres::ParseCopyRows("", 3)->empty());
  CHECK(postgres::ParseCopyRows("a\tb\n", 3).error == "row 1 has 2 columns, expected 3");
  CHECK(postgres::ParseCopyRows("a\tb", 2).error == "row 1 does not end with a newline");
}

TEST_CASE("server state of the 9.4 and 7.1 schemas and of a database without them") {
  const auto v94 = postgres::ParseServerState(Fixture("server_state_9.4.copy"));
  REQUIRE(v94);
  CHECK(v94->start_time_seconds == Approx(1796174969.917243));
  CHECK(v94->max_connections == 100);
  CHECK(v94->short_version == "15.18");
  CHECK(v94->version == "15.18 (Debian 15.18-0+deb12u1)");
  CHECK_FALSE(v94->in_recovery);
  CHECK(v94->has_monitor_role);
  CHECK(v94->user == "postgres");
  CHECK(v94->task_result_present);
  CHECK(v94->doc_changes_present);
  CHECK(v94->tenant_columns);

  const auto v71 = postgres::ParseServerState(Fixture("server_state_7.1.copy"));
  REQUIRE(v71);
  CHECK(v71->task_result_present);
  CHECK_FALSE(v71->tenant_columns);

  const auto none = postgres::ParseServerState(Fixture("server_state_no_schema.copy"));
  REQUIRE(none);
  CHECK_FALSE(none->task_result_present);
  CHECK_FALSE(none->doc_changes_present);
  const auto samples = Samples([&](MetricSet& metrics) { BuildServerMetrics(*none, metrics); });
  CHECK(FindValue(samples, "onlyoffice_documentserver_database_table_present",
                  {{"table", "task_result"}}) == 0);
  CHECK(FindValue(samples, "pg_settings_max_connections") == 100);
  CHECK(FindValue(samples, "pg_replication_is_replica") == 0);
  CHECK(FindValue(samples, "pg_static", {{"short_version", "15.18"}}) == 1);
}

TEST_CASE("server state that is not what the query returns is an error, never a 0") {
  CHECK(postgres::ParseServerState("").error == "expected one row, got 0");
  CHECK(postgres::ParseServerState("x\t100\tv\tf\t0\tt\tu\tt\tt\tt\n").error ==
        "row 1 column 1 'x' is not a number");
  CHECK(postgres::ParseServerState("1\t100\tv\tmaybe\t0\tt\tu\tt\tt\tt\n").error ==
        "row 1 column 4 is not a boolean (t or f)");
  CHECK(postgres::ParseServerState("1\t\\N\tv\tf\t0\tt\tu\tt\tt\tt\n").error ==
        "row 1 column 2 is NULL");
}

TEST_CASE("activity, databases and locks as postgres_exporter names them") {
  const auto activity = postgres::ParseActivity(Fixture("activity.copy"));
  REQUIRE(activity);
  CHECK(activity->size() == 18);  // 6 states x 3 databases
  const auto databases = postgres::ParseDatabaseStats(Fixture("database_stats.copy"));
  REQUIRE(databases);
  const auto locks = postgres::ParseLocks(Fixture("locks.copy"));
  REQUIRE(locks);
  const auto samples = Samples([&](MetricSet& metrics) {
    BuildActivityMetrics(*activity, metrics);
    BuildDatabaseMetrics(*databases, metrics);
    BuildLockMetrics(*locks, metrics);
  });
  CHECK(FindValue(samples, "pg_stat_activity_count",
                  {{"datname", "onlyoffice"}, {"state", "active"}}) == 1);
  CHECK(FindValue(samples, "pg_stat_activity_count",
                  {{"datname", "postgres"}, {"state", "idle in transaction"}}) == 0);
  CHECK(FindValue(samples, "pg_stat_activity_max_tx_duration",
                  {{"datname", "onlyoffice"}, {"state", "active"}}) == 0);
  CHECK(FindValue(samples, "pg_database_size_bytes", {{"datname", "onlyoffice"}}) == 7732583);
  CHECK(FindValue(samples, "pg_stat_database_xact_commit",
                  {{"datid", "16384"}, {"datname", "onlyoffice"}}) == 28);
  CHECK(FindValue(samples, "pg_stat_database_numbackends", {{"datname", "onlyoffice"}}) == 1);
  CHECK(FindValue(samples, "pg_stat_database_deadlocks", {{"datname", "template1"}}) == 0);
  CHECK(FindValue(samples, "pg_locks_count",
                  {{"datname", "onlyoffice"}, {"mode", "accesssharelock"}}) == 1);
  CHECK(FindValue(samples, "pg_locks_count", {{"datname", "template1"}, {"mode", "sireadlock"}}) ==
        0);
}

TEST_CASE("the save backlog and documents by FileStatus") {
  const auto backlog = postgres::ParseSaveBacklog(Fixture("save_backlog.copy"));
  REQUIRE(backlog);
  const auto statuses = postgres::ParseDocumentStatuses(Fixture("document_status.copy"));
  REQUIRE(statuses);
  const auto samples = Samples([&](MetricSet& metrics) {
    BuildSaveBacklogMetrics(*backlog, metrics);
    BuildDocumentStatusMetrics(*statuses, metrics);
  });
  CHECK(FindValue(samples, "onlyoffice_documentserver_unsaved_changes") == 3);
  CHECK(FindValue(samples, "onlyoffice_documentserver_unsaved_documents") == 2);
  CHECK(FindValue(samples, "onlyoffice_documentserver_oldest_unsaved_change_age_seconds") ==
        Approx(1200.366851));
  CHECK(FindValue(samples, "onlyoffice_documentserver_unsaved_documents_without_callback") == 1);
  CHECK(FindValue(samples, "onlyoffice_documentserver_documents", {{"status", "ok"}}) == 1);
  CHECK(FindValue(samples, "onlyoffice_documentserver_documents", {{"status", "save_version"}}) ==
        1);
  CHECK(FindValue(samples, "onlyoffice_documentserver_documents", {{"status", "err"}}) == 1);
  // Every status DocService defines is there, at 0 when no document has it.
  CHECK(FindValue(samples, "onlyoffice_documentserver_documents", {{"status", "wait_queue"}}) == 0);
  CHECK(FindValue(samples, "onlyoffice_documentserver_documents", {{"status", "unknown"}}) ==
        std::nullopt);

  const auto odd = postgres::ParseDocumentStatuses("4\t2\n42\t1\n");
  REQUIRE(odd);
  const auto odd_samples =
      Samples([&](MetricSet& metrics) { BuildDocumentStatusMetrics(*odd, metrics); });
  CHECK(FindValue(odd_samples, "onlyoffice_documentserver_documents", {{"status", "unknown"}}) ==
        3);
}

TEST_CASE("a dsn: keyword/value or URI, never a password, TLS from tls_config") {
  std::string problem;
  const auto plain = postgres::ParseConnectionSettings(
      "host=db.example port=5433 dbname=onlyoffice user=exporter", {}, false, problem);
  REQUIRE(plain);
  CHECK(plain->ToString() == "postgresql://db.example:5433/onlyoffice");

  const auto uri =
      postgres::ParseConnectionSettings("postgresql://exporter@10.0.0.7/ds", {}, false, problem);
  REQUIRE(uri);
  CHECK(uri->ToString() == "postgresql://10.0.0.7:5432/ds");

  CHECK_FALSE(postgres::ParseConnectionSettings("host=db password=hunter2", {}, false, problem));
  CHECK(problem == "carries a password; give it in password_file or password_env instead");
  CHECK_FALSE(
      postgres::ParseConnectionSettings("postgresql://u:hunter2@db/ds", {}, false, problem));
  CHECK_FALSE(postgres::ParseConnectionSettings("host=db port=54x32", {}, false, problem));
  CHECK(problem == "port '54x32' is not a port number (1-65535)");
  CHECK_FALSE(postgres::ParseConnectionSettings("host=a,b port=5432,70000", {}, false, problem));
  CHECK(postgres::ParseConnectionSettings("host=a,b port=5432,5433", {}, false, problem));
  CHECK_FALSE(postgres::ParseConnectionSettings("host", {}, false, problem));
  CHECK(problem.find("missing \"=\"") != std::string::npos);

  TlsConfig tls;
  tls.ca_file = "/ca.pem";
  tls.server_name = "pg.example.test";
  const auto verified = postgres::ParseConnectionSettings("host=10.0.0.7", tls, true, problem);
  REQUIRE(verified);
  const std::map<std::string, std::string> keywords(verified->keywords.begin(),
                                                    verified->keywords.end());
  CHECK(keywords.at("sslmode") == "verify-full");
  CHECK(keywords.at("sslrootcert") == "/ca.pem");
  CHECK(keywords.at("host") == "pg.example.test");
  CHECK(keywords.at("hostaddr") == "10.0.0.7");
  CHECK(verified->ToString() == "postgresql://10.0.0.7:5432/");
  CHECK_FALSE(postgres::ParseConnectionSettings("host=db.example", tls, true, problem));
  CHECK(problem.find("tls_config.server_name needs the dsn's host to be an IP address") == 0);
}

TEST_CASE("postgres targets: a password in the config is refused, the name is host:port") {
  CHECK_THROWS_WITH(test::MakeTarget("postgres", "dsn: host=db password=hunter2\n"),
                    "test.yml: target.dsn: carries a password; give it in password_file or "
                    "password_env instead");
  CHECK_THROWS_WITH(test::MakeTarget("postgres", "dsn: host=db\npassword: hunter2\n"),
                    Catch::Contains("secrets are not read from the configuration"));
  CHECK_THROWS_WITH(test::MakeTarget("postgres", "name: db\n"),
                    "test.yml: target.dsn: is required");
  const auto target = test::MakeTarget("postgres", "dsn: host=db.example port=5433\n");
  CHECK(target.target == "db.example:5433");
  CHECK(target.collector->Describe() == "postgresql://db.example:5433/");
}

}  // namespace ooe
