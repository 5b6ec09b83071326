// The postgres collector against a real PostgreSQL cluster each test makes (initdb, a free
// port), loaded with Document Server's real schemas.
#include <catch2/catch.hpp>
#include <thread>

#include "collectors/postgres/collector.h"
#include "tests/support/collect.h"
#include "tests/support/postgres_server.h"
#include "tests/support/scrape.h"

namespace ooe {
namespace {

using test::FindValue;

const std::string kSchema71 =
    std::string(OOE_SHARED_FIXTURES_DIR) + "/postgresql/docservice-7.1.1-schema.sql";
const std::string kSchema94 =
    std::string(OOE_SHARED_FIXTURES_DIR) + "/postgresql/docservice-9.4.0-schema.sql";

TargetCollector MakeCollector(const std::string& yaml) {
  return test::MakeTarget("postgres", yaml);
}

CollectResult CollectWithin(const TargetCollector& collector, std::chrono::milliseconds budget) {
  return collector.Collect(ScrapeContext{Clock::now() + budget});
}

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// Document Server's database with `schema` loaded, and a monitoring role with exactly what the
// README asks for: pg_monitor and SELECT on the two tables.
void CreateDocumentServerDatabase(test::PostgresServer& server, const std::string& database,
                                  const std::string& schema, bool grant_to_exporter = true) {
  server.Psql("CREATE DATABASE " + database);
  server.PsqlFile(schema, database);
  if (grant_to_exporter) {
    server.Psql("GRANT SELECT ON task_result, doc_changes TO exporter", database);
  }
}

void CreateMonitoringRole(test::PostgresServer& server, const std::string& password) {
  server.Psql("CREATE ROLE exporter LOGIN PASSWORD '" + password + "' IN ROLE pg_monitor");
}

// A target for the `exporter` role with its password in a file.
std::string ExporterTarget(const test::PostgresServer& server, const std::string& database,
                           const std::string& password_file) {
  return "dsn: " + server.Dsn("exporter", database) + "\npassword_file: " + password_file + "\n";
}

}  // namespace

TEST_CASE("the 9.4 schema: values agree with psql, with only pg_monitor and SELECT") {
  test::PostgresServer server;
  CreateMonitoringRole(server, "monitor-pass");
  CreateDocumentServerDatabase(server, "onlyoffice", kSchema94);
  server.Psql(
      "INSERT INTO task_result (tenant, id, status, status_info, last_open_date, callback,"
      " baseurl) VALUES"
      " ('localhost', 'doc-a', 1, 0, now(), 'http://app/cb', 'http://ds/'),"
      " ('localhost', 'doc-b', 7, 0, now(), '', 'http://ds/'),"
      " ('other', 'doc-b', 7, 0, now(), 'http://app/cb', 'http://ds/'),"
      " ('localhost', 'doc-c', 5, 0, now(), 'http://app/cb', 'http://ds/');"
      "INSERT INTO doc_changes VALUES"
      " ('localhost', 'doc-a', 0, 'u1', 'u1', 'Ann', '{}',"
      "  (now() AT TIME ZONE 'UTC') - interval '20 minutes'),"
      " ('localhost', 'doc-a', 1, 'u1', 'u1', 'Ann', '{}', now() AT TIME ZONE 'UTC'),"
      " ('localhost', 'doc-b', 0, 'u2', 'u2', 'Bob', '{}', now() AT TIME ZONE 'UTC'),"
      " ('other', 'doc-b', 0, 'u3', 'u3', 'Eve', '{}', now() AT TIME ZONE 'UTC')",
      "onlyoffice");
  // A transaction kept open, as a stuck DocService request would.
  test::Process open_transaction({"psql", "-X", "-h", "127.0.0.1", "-p",
                                  std::to_string(server.Port()), "-U", "postgres", "-d",
                                  "onlyoffice", "-c", "BEGIN; SELECT pg_sleep(60);"});
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));

  test::TempDir dir;
  test::WriteFile(dir / "password", "monitor-pass\n");
  auto collector = MakeCollector(ExporterTarget(server, "onlyoffice", (dir / "password").string()) +
                                 "name: ds-db\n");
  const auto started = Clock::now();
  const auto result = CollectWithin(collector, std::chrono::seconds(5));
  INFO("one collection took " << Seconds(started) << " s");
  REQUIRE(result.ErrorLine().empty());
  const auto samples = test::SamplesOf(result);

  CHECK(FindValue(samples, "pg_up", {{"target", "ds-db"}}) == 1);
  CHECK(FindValue(samples, "pg_settings_max_connections") == 40);
  CHECK(FindValue(samples, "pg_postmaster_start_time_seconds").value() ==
        Approx(std::stod(server.Psql("SELECT extract(epoch FROM pg_postmaster_start_time())")))
            .margin(0.001));
  CHECK(FindValue(samples, "pg_database_size_bytes", {{"datname", "onlyoffice"}}).value() ==
        Approx(std::stod(server.Psql("SELECT pg_database_size('onlyoffice')"))).epsilon(0.05));
  CHECK(FindValue(samples, "pg_stat_activity_count",
                  {{"datname", "onlyoffice"}, {"state", "active"}}) >= 1);
  CHECK(FindValue(samples, "pg_stat_activity_max_tx_duration",
                  {{"datname", "onlyoffice"}, {"state", "active"}}) >= 1.0);
  CHECK(FindValue(samples, "pg_stat_database_xact_commit", {{"datname", "onlyoffice"}}) > 0);
  CHECK(FindValue(samples, "pg_locks_count",
                  {{"datname", "onlyoffice"}, {"mode", "accessexclusivelock"}}) == 0);
  CHECK(FindValue(samples, "pg_replication_is_replica") == 0);
  CHECK(FindValue(samples, "onlyoffice_documentserver_database_table_present",
                  {{"table", "doc_changes"}}) == 1);
  CHECK(FindValue(samples, "onlyoffice_documentserver_unsaved_changes") == 4);
  // (tenant, id) is a document in the 9.x schema: doc-b of two tenants is two documents.
  CHECK(FindValue(samples, "onlyoffice_documentserver_unsaved_documents") == 3);
  CHECK(FindValue(samples, "onlyoffice_documentserver_oldest_unsaved_change_age_seconds").value() ==
        Approx(1200).margin(30));
  CHECK(FindValue(samples, "onlyoffice_documentserver_unsaved_documents_without_callback") == 1);
  CHECK(FindValue(samples, "onlyoffice_documentserver_documents", {{"status", "save_version"}}) ==
        2);
  CHECK(FindValue(samples, "onlyoffice_documentserver_documents", {{"status", "ok"}}) == 1);
  CHECK(FindValue(samples, "onlyoffice_documentserver_documents", {{"status", "err"}}) == 1);

  // One connection, kept across scrapes.
  for (int i = 0; i < 3; ++i) {
    REQUIRE(CollectWithin(collector, std::chrono::seconds(5)).ErrorLine().empty());
  }
  CHECK(server.Psql("SELECT count(*) FROM pg_stat_activity"
                    " WHERE application_name = 'onlyoffice-exporter'") == "1");
}

TEST_CASE("the 7.1 schema with 10,000 unsaved changes, beside a 9.4 database: two targets") {
  test::PostgresServer server;
  CreateMonitoringRole(server, "monitor-pass");
  CreateDocumentServerDatabase(server, "ds71", kSchema71);
  CreateDocumentServerDatabase(server, "ds94", kSchema94);
  server.Psql(
      "INSERT INTO task_result (id, status, status_info, last_open_date, callback, baseurl)"
      " SELECT 'doc-' || n, 1, 0, now(), 'http://app/cb', 'http://ds/'"
      " FROM generate_series(1, 100) n;"
      "INSERT INTO doc_changes SELECT 'doc-' || (n % 100 + 1), n, 'u', 'u', 'User',"
      " repeat('x', 200), (now() AT TIME ZONE 'UTC') - n * interval '1 second'"
      " FROM generate_series(1, 10000) n",
      "ds71");
  setenv("TEST_POSTGRES_PASSWORD", "monitor-pass", 1);
  auto v71 = MakeCollector("dsn: " + server.Dsn("exporter", "ds71") +
                           "\npassword_env: TEST_POSTGRES_PASSWORD\nname: ds71\n");
  auto v94 = MakeCollector("dsn: " + server.Dsn("exporter", "ds94") +
                           "\npassword_env: TEST_POSTGRES_PASSWORD\nname: ds94\n");
  const auto started = Clock::now();
  const auto result = CollectWithin(v71, std::chrono::seconds(5));
  const double seconds = Seconds(started);
  WARN("a collection with 10,000 rows in doc_changes took " << seconds * 1000 << " ms");
  REQUIRE(result.ErrorLine().empty());
  auto samples = test::SamplesOf(result);
  CHECK(FindValue(samples, "onlyoffice_documentserver_unsaved_changes", {{"target", "ds71"}}) ==
        10000);
  CHECK(FindValue(samples, "onlyoffice_documentserver_unsaved_documents") == 100);
  CHECK(FindValue(samples, "onlyoffice_documentserver_oldest_unsaved_change_age_seconds").value() ==
        Approx(10000).margin(30));
  CHECK(FindValue(samples, "onlyoffice_documentserver_documents", {{"status", "ok"}}) == 100);
  CHECK(seconds < 2.0);

  const auto other = CollectWithin(v94, std::chrono::seconds(5));
  REQUIRE(other.ErrorLine().empty());
  samples = test::SamplesOf(other);
  CHECK(FindValue(samples, "onlyoffice_documentserver_unsaved_changes", {{"target", "ds94"}}) == 0);
  CHECK(FindValue(samples, "onlyoffice_documentserver_oldest_unsaved_change_age_seconds") == 0);
}

TEST_CASE("the exporter binary: the password from a file or either variable, never shown") {
  test::PostgresServer server;
  CreateMonitoringRole(server, "binary-secret-1");
  test::TempDir dir;
  test::WriteFile(dir / "password", "binary-secret-1\n");
  const std::string dsn = "--postgres.dsn=" + server.Dsn("exporter", "postgres");
  const std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>> ways = {
      {{dsn, "--postgres.password-file=" + (dir / "password").string()}, {}},
      {{dsn}, {"ONLYOFFICE_EXPORTER_POSTGRES_PASSWORD=binary-secret-1"}},
      {{dsn}, {"PGPASSWORD=binary-secret-1"}},
  };
  for (const auto& [flags, environment] : ways) {
    INFO(flags.back() << " " << (environment.empty() ? "" : environment.front()));
    test::ExporterProcess exporter(flags, environment);
    const auto scrape = exporter.Get();
    REQUIRE(scrape.status == 200);
    const auto samples = test::ParseExposition(scrape.body);
    CHECK(FindValue(samples, "pg_up", {{"target", "127.0.0.1:" + std::to_string(server.Port())}}) ==
          1);
    CHECK(FindValue(samples, "onlyoffice_exporter_collector_success",
                    {{"collector", "postgres"}}) == 1);
    CHECK(scrape.body.find("binary-secret-1") == std::string::npos);
    CHECK(exporter.Get("/").body.find("binary-secret-1") == std::string::npos);
    CHECK(exporter.Log().find("binary-secret-1") == std::string::npos);
    // postgres_exporter's names pass promtool's lint (its _count gauges are untyped here).
    test::WriteFile(dir / "metrics.txt", scrape.body);
    std::string lint;
    int exit_code = -1;
    test::RunCommand({"sh", "-c", "promtool check metrics < " + (dir / "metrics.txt").string()},
                     &exit_code, &lint);
    CHECK(lint.empty());
    CHECK(exit_code == 0);
  }
}

TEST_CASE("a database without Document Server's tables says so, and is no failure") {
  test::PostgresServer server;
  server.Psql("CREATE DATABASE onlyoffice");
  auto collector = MakeCollector("dsn: " + server.Dsn("postgres", "onlyoffice") + "\n");
  const auto result = CollectWithin(collector, std::chrono::seconds(5));
  CHECK(result.ErrorLine().empty());
  const auto samples = test::SamplesOf(result);
  CHECK(FindValue(samples, "pg_up") == 1);
  CHECK(FindValue(samples, "onlyoffice_documentserver_database_table_present",
                  {{"table", "task_result"}}) == 0);
  CHECK(FindValue(samples, "onlyoffice_documentserver_database_table_present",
                  {{"table", "doc_changes"}}) == 0);
  CHECK(FindValue(samples, "onlyoffice_documentserver_unsaved_changes") == std::nullopt);
}

TEST_CASE(
    "a wrong or missing password: pg_up 0 and one line that names the cause, not the secret") {
  test::PostgresServer server;
  CreateMonitoringRole(server, "the-right-one");
  test::TempDir dir;
  test::WriteFile(dir / "wrong", "not-the-password\n");
  auto wrong = MakeCollector(ExporterTarget(server, "postgres", (dir / "wrong").string()));
  auto result = CollectWithin(wrong, std::chrono::seconds(5));
  CHECK(FindValue(test::SamplesOf(result), "pg_up") == 0);
  const auto line = result.ErrorLine();
  CHECK(line.find("connect postgresql://127.0.0.1:" + std::to_string(server.Port()) +
                  "/postgres: ") == 0);
  CHECK(line.find("password authentication failed for user \"exporter\"") != std::string::npos);
  CHECK(line.find("check the dsn's user and dbname, the password") != std::string::npos);
  CHECK(line.find("not-the-password") == std::string::npos);
  CHECK(line.find('\n') == std::string::npos);
  REQUIRE_FALSE(result.errors.empty());
  CHECK(result.errors.front().phase == "auth");

  unsetenv("PGPASSWORD");
  auto none = MakeCollector("dsn: " + server.Dsn("exporter", "postgres") + "\n");
  result = CollectWithin(none, std::chrono::seconds(5));
  CHECK(FindValue(test::SamplesOf(result), "pg_up") == 0);
  CHECK(result.ErrorLine().find("no password supplied") != std::string::npos);
}

TEST_CASE("a role without pg_monitor: the grant it needs, and what it can see still exported") {
  test::PostgresServer server;
  server.Psql("CREATE ROLE weak LOGIN PASSWORD 'weak-pass'");
  CreateDocumentServerDatabase(server, "onlyoffice", kSchema94, false);
  test::TempDir dir;
  test::WriteFile(dir / "password", "weak-pass");
  auto collector = MakeCollector("dsn: " + server.Dsn("weak", "onlyoffice") +
                                 "\npassword_file: " + (dir / "password").string() + "\n");
  const auto result = CollectWithin(collector, std::chrono::seconds(5));
  const auto samples = test::SamplesOf(result);
  CHECK(FindValue(samples, "pg_up") == 1);
  CHECK(FindValue(samples, "pg_settings_max_connections") == 40);
  const auto line = result.ErrorLine();
  CHECK(line.find("role weak lacks pg_monitor") != std::string::npos);
  CHECK(line.find("GRANT pg_monitor TO weak") != std::string::npos);
  // No SELECT on Document Server's tables either: said once per table query, with the grant.
  CHECK(line.find("doc_changes: permission denied for table doc_changes") != std::string::npos);
  CHECK(line.find("SELECT on task_result and doc_changes") != std::string::npos);
}

TEST_CASE("a restart between scrapes: the kept connection is replaced at once, start time moves") {
  test::PostgresServer server;
  auto collector = MakeCollector("dsn: " + server.Dsn() + "\n");
  auto result = CollectWithin(collector, std::chrono::seconds(5));
  REQUIRE(result.ErrorLine().empty());
  const auto first_start = FindValue(test::SamplesOf(result), "pg_postmaster_start_time_seconds");
  // A session ended by the server (FATAL 57P01 waiting on the socket): replaced at once too.
  REQUIRE(server.Psql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                      " WHERE application_name = 'onlyoffice-exporter'") == "1");
  result = CollectWithin(collector, std::chrono::seconds(5));
  CHECK(result.ErrorLine().empty());
  CHECK(FindValue(test::SamplesOf(result), "pg_up") == 1);

  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  server.Restart();

  result = CollectWithin(collector, std::chrono::seconds(5));
  CHECK(result.ErrorLine().empty());
  const auto samples = test::SamplesOf(result);
  CHECK(FindValue(samples, "pg_up") == 1);
  CHECK(FindValue(samples, "pg_postmaster_start_time_seconds").value() > first_start.value() + 1);

  server.Stop();
  result = CollectWithin(collector, std::chrono::seconds(5));
  CHECK(FindValue(test::SamplesOf(result), "pg_up") == 0);
  CHECK(result.ErrorLine().find("Connection refused") != std::string::npos);
  REQUIRE_FALSE(result.errors.empty());
  CHECK(result.errors.front().phase == "refused");
  server.Start();
  result = CollectWithin(collector, std::chrono::seconds(5));
  CHECK(result.ErrorLine().empty());
  CHECK(FindValue(test::SamplesOf(result), "pg_up") == 1);
}

TEST_CASE("every server process stopped (SIGSTOP): pg_up 0 within the deadline, back after") {
  test::PostgresServer server;
  auto connected = MakeCollector("dsn: " + server.Dsn() + "\nname: connected\n");
  REQUIRE(CollectWithin(connected, std::chrono::seconds(5)).ErrorLine().empty());
  server.Pause();

  // A connection kept from before: the query gets no answer.
  auto started = Clock::now();
  auto result = CollectWithin(connected, std::chrono::milliseconds(1500));
  double seconds = Seconds(started);
  CHECK(seconds < 1.8);
  CHECK(seconds > 1.2);
  CHECK(FindValue(test::SamplesOf(result), "pg_up") == 0);
  INFO(result.ErrorLine());
  CHECK(result.ErrorLine().find("query postgresql://127.0.0.1:" + std::to_string(server.Port()) +
                                "/postgres: SET statement_timeout: no reply before the deadline") ==
        0);
  REQUIRE_FALSE(result.errors.empty());
  CHECK(result.errors.front().phase == "timeout");

  // A new connection: the kernel accepts it, the postmaster never answers.
  auto fresh = MakeCollector("dsn: " + server.Dsn() + "\nname: fresh\n");
  started = Clock::now();
  result = CollectWithin(fresh, std::chrono::milliseconds(1500));
  seconds = Seconds(started);
  CHECK(seconds < 1.8);
  CHECK(seconds > 1.2);
  CHECK(FindValue(test::SamplesOf(result), "pg_up") == 0);
  CHECK(result.ErrorLine().find("connect postgresql://127.0.0.1:" + std::to_string(server.Port()) +
                                "/postgres: no answer before the deadline") == 0);

  server.Resume();
  for (const auto* collector : {&connected, &fresh}) {
    result = CollectWithin(*collector, std::chrono::seconds(5));
    CHECK(result.ErrorLine().empty());
    CHECK(FindValue(test::SamplesOf(result), "pg_up") == 1);
  }
}

TEST_CASE("TLS through sslmode and tls_config: verified, by name, refused when untrusted") {
  test::PostgresServer plain;  // only for its folder, which the server user can read
  const auto cert = (plain.Dir() / "server.crt").string();
  const auto key = (plain.Dir() / "server.key").string();
  int exit_code = -1;
  test::RunCommand({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", cert, "-days", "2", "-subj", "/CN=localhost", "-addext",
                    "subjectAltName=DNS:pg.example.test,IP:127.0.0.1"},
                   &exit_code);
  REQUIRE(exit_code == 0);
  test::RunCommand({"chmod", "0600", key});
  if (geteuid() == 0) test::RunCommand({"chown", "postgres", cert, key});
  test::PostgresServer server({"ssl=on", "ssl_cert_file=" + cert, "ssl_key_file=" + key});
  const std::string dsn = "dsn: " + server.Dsn() + "\n";

  auto verified = MakeCollector(dsn + "tls_config: {ca_file: " + cert + "}\n");
  auto result = CollectWithin(verified, std::chrono::seconds(5));
  CHECK(result.ErrorLine().empty());
  CHECK(FindValue(test::SamplesOf(result), "pg_up") == 1);
  CHECK(server.Psql("SELECT count(*) FROM pg_stat_ssl JOIN pg_stat_activity USING (pid)"
                    " WHERE ssl AND application_name = 'onlyoffice-exporter'") == "1");

  auto named =
      MakeCollector(dsn + "tls_config: {ca_file: " + cert + ", server_name: pg.example.test}\n");
  result = CollectWithin(named, std::chrono::seconds(5));
  CHECK(result.ErrorLine().empty());

  auto wrong_name =
      MakeCollector(dsn + "tls_config: {ca_file: " + cert + ", server_name: other.example.test}\n");
  result = CollectWithin(wrong_name, std::chrono::seconds(5));
  CHECK(FindValue(test::SamplesOf(result), "pg_up") == 0);
  REQUIRE_FALSE(result.errors.empty());
  CHECK(result.errors.front().phase == "tls");
  CHECK(result.ErrorLine().find("other.example.test") != std::string::npos);

  test::TempDir other;
  test::RunCommand({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                    (other / "k").string(), "-out", (other / "ca.pem").string(), "-days", "2",
                    "-subj", "/CN=someone-else"},
                   &exit_code);
  auto untrusted =
      MakeCollector(dsn + "tls_config: {ca_file: " + (other / "ca.pem").string() + "}\n");
  result = CollectWithin(untrusted, std::chrono::seconds(5));
  CHECK(FindValue(test::SamplesOf(result), "pg_up") == 0);
  REQUIRE_FALSE(result.errors.empty());
  CHECK(result.errors.front().phase == "tls");
  CHECK(result.ErrorLine().find("certificate verify failed") != std::string::npos);

  auto unverified = MakeCollector(dsn + "tls_config: {insecure_skip_verify: true}\n");
  result = CollectWithin(unverified, std::chrono::seconds(5));
  CHECK(result.ErrorLine().empty());
}

}  // namespace ooe
