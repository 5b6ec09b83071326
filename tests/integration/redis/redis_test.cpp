// The Redis collector against a real redis-server started by each test.
#include <catch2/catch.hpp>
#include <map>
#include <sstream>

#include "collectors/redis/collector.h"
#include "tests/support/collect.h"
#include "tests/support/redis_server.h"
#include "tests/support/scrape.h"
#include "tests/support/silent_peer.h"

namespace ooe {
namespace {

using test::FindValue;

TargetCollector MakeCollector(const std::string& yaml) { return test::MakeTarget("redis", yaml); }

CollectResult CollectWithin(const TargetCollector& collector, std::chrono::milliseconds budget) {
  return collector.Collect(ScrapeContext{Clock::now() + budget});
}

// INFO as redis-cli prints it, as a field -> value map.
std::map<std::string, std::string> CliInfo(test::RedisServer& server,
                                           const std::string& password = "") {
  std::map<std::string, std::string> fields;
  std::istringstream lines(server.Cli({"INFO", "ALL"}, password));
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto colon = line.find(':');
    if (line.empty() || line[0] == '#' || colon == std::string::npos) continue;
    fields[line.substr(0, colon)] = line.substr(colon + 1);
  }
  return fields;
}

}  // namespace

TEST_CASE("exported values agree with redis-cli INFO") {
  test::RedisServer server;
  server.Cli({"CONFIG", "SET", "maxmemory", "64mb"});
  server.Cli({"CONFIG", "SET", "maxclients", "321"});
  for (int i = 0; i < 25; ++i) server.Cli({"SET", "key" + std::to_string(i), "value"});
  server.Cli({"SETEX", "expiring", "1000", "value"});
  server.Cli({"GET", "key1"});
  server.Cli({"GET", "missing"});

  auto collector = MakeCollector("address: " + server.Address() + "\nname: cache\n");
  const auto result = CollectWithin(collector, std::chrono::seconds(5));
  REQUIRE(result.ErrorLine().empty());
  const auto samples = test::SamplesOf(result);
  const auto cli = CliInfo(server);

  const std::map<std::string, std::string> target = {{"target", "cache"}};
  CHECK(FindValue(samples, "redis_up", target) == 1);
  CHECK(FindValue(samples, "redis_db_keys", {{"db", "db0"}}) == 26);
  CHECK(FindValue(samples, "redis_db_keys_expiring", {{"db", "db0"}}) == 1);
  CHECK(FindValue(samples, "redis_memory_max_bytes") == std::stod(cli.at("maxmemory")));
  CHECK(FindValue(samples, "redis_memory_max_bytes") == 64.0 * 1024 * 1024);
  CHECK(FindValue(samples, "redis_config_maxmemory") == 64.0 * 1024 * 1024);
  CHECK(FindValue(samples, "redis_config_maxclients") == 321);
  CHECK(FindValue(samples, "redis_keyspace_hits_total") == std::stod(cli.at("keyspace_hits")));
  CHECK(FindValue(samples, "redis_keyspace_misses_total") == std::stod(cli.at("keyspace_misses")));
  CHECK(FindValue(samples, "redis_evicted_keys_total") == std::stod(cli.at("evicted_keys")));
  CHECK(FindValue(samples, "redis_rejected_connections_total") ==
        std::stod(cli.at("rejected_connections")));
  CHECK(FindValue(samples, "redis_uptime_in_seconds").value() ==
        Approx(std::stod(cli.at("uptime_in_seconds"))).margin(2));
  CHECK(FindValue(samples, "redis_memory_used_bytes").value() ==
        Approx(std::stod(cli.at("used_memory"))).epsilon(0.2));
  CHECK(FindValue(samples, "redis_instance_info",
                  {{"redis_version", cli.at("redis_version")}, {"role", "master"}}) == 1);
  CHECK(FindValue(samples, "redis_commands_total", {{"cmd", "set"}}) == 25);
  // The exporter's own connection is one of them.
  CHECK(FindValue(samples, "redis_connected_clients").value() >= 1);
}

TEST_CASE("a unix socket target works") {
  test::RedisServer server;
  auto collector = MakeCollector("address: unix://" + server.SocketPath() + "\n");
  const auto result = CollectWithin(collector, std::chrono::seconds(5));
  CHECK(result.ErrorLine().empty());
  CHECK(FindValue(test::SamplesOf(result), "redis_up") == 1);
  CHECK(collector.target == server.SocketPath());
}

TEST_CASE("AUTH with the password from a file works, a wrong one says so clearly") {
  const std::string secret = "s3cret-" + std::to_string(test::FreePort());
  test::RedisServer server({"--requirepass", secret});
  test::TempDir dir;
  test::WriteFile(dir / "right", secret + "\n");
  test::WriteFile(dir / "wrong", "not-the-password\n");

  auto right = MakeCollector("address: " + server.Address() +
                             "\npassword_file: " + (dir / "right").string() + "\n");
  auto result = CollectWithin(right, std::chrono::seconds(5));
  CHECK(result.ErrorLine().empty());
  CHECK(FindValue(test::SamplesOf(result), "redis_up") == 1);

  auto wrong = MakeCollector("address: " + server.Address() +
                             "\npassword_file: " + (dir / "wrong").string() + "\n");
  result = CollectWithin(wrong, std::chrono::seconds(5));
  CHECK(FindValue(test::SamplesOf(result), "redis_up") == 0);
  CHECK(result.ErrorLine().find("AUTH redis://127.0.0.1:" + std::to_string(server.Port()) +
                                ": WRONGPASS") == 0);
  CHECK(result.ErrorLine().find("not-the-password") == std::string::npos);

  auto none = MakeCollector("address: " + server.Address() + "\n");
  result = CollectWithin(none, std::chrono::seconds(5));
  CHECK(FindValue(test::SamplesOf(result), "redis_up") == 0);
  CHECK(result.ErrorLine().find("NOAUTH") != std::string::npos);
}

TEST_CASE("an ACL user without CONFIG rights is enough; CONFIG is skipped quietly") {
  test::RedisServer server;
  server.Cli({"ACL", "SETUSER", "monitor", "on", ">monitor-pass", "+info", "+ping", "-config"});
  setenv("TEST_REDIS_MONITOR_PASSWORD", "monitor-pass", 1);
  auto collector =
      MakeCollector("address: " + server.Address() +
                    "\nusername: monitor\npassword_env: TEST_REDIS_MONITOR_PASSWORD\n");
  const auto result = CollectWithin(collector, std::chrono::seconds(5));
  CHECK(result.ErrorLine().empty());
  const auto samples = test::SamplesOf(result);
  CHECK(FindValue(samples, "redis_up") == 1);
  // Denied CONFIG GET: the settings still come from INFO.
  CHECK(FindValue(samples, "redis_config_maxclients") == 10000);
}

TEST_CASE("a server killed between scrapes gives redis_up 0, and 1 again when it is back") {
  auto server = std::make_unique<test::RedisServer>();
  const int port = server->Port();
  auto collector = MakeCollector("address: " + server->Address() + "\n");
  CHECK(FindValue(test::SamplesOf(CollectWithin(collector, std::chrono::seconds(5))), "redis_up") ==
        1);
  server.reset();
  auto result = CollectWithin(collector, std::chrono::seconds(5));
  CHECK(FindValue(test::SamplesOf(result), "redis_up") == 0);
  CHECK_FALSE(result.ErrorLine().empty());
  result = CollectWithin(collector, std::chrono::seconds(5));
  CHECK(result.ErrorLine().find("Connection refused") != std::string::npos);

  test::RedisServer again({}, port);
  result = CollectWithin(collector, std::chrono::seconds(5));
  CHECK(result.ErrorLine().empty());
  CHECK(FindValue(test::SamplesOf(result), "redis_up") == 1);
}

TEST_CASE("a peer that accepts and never answers ends the collection at the deadline") {
  test::SilentPeer peer;
  auto collector = MakeCollector("address: redis://127.0.0.1:" + std::to_string(peer.Port()));
  const auto started = Clock::now();
  const auto result = CollectWithin(collector, std::chrono::milliseconds(1500));
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  CHECK(seconds < 2.0);
  CHECK(seconds > 1.2);
  CHECK(FindValue(test::SamplesOf(result), "redis_up") == 0);
  CHECK(result.ErrorLine().find("no reply before the deadline") != std::string::npos);
}

}  // namespace ooe

namespace ooe {

TEST_CASE("rediss:// speaks TLS, verifies the certificate, and says why when it cannot") {
  test::TempDir dir;
  const auto cert = (dir / "cert.pem").string();
  const auto key = (dir / "key.pem").string();
  int exit_code = -1;
  test::RunCommand({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", cert, "-days", "2", "-subj", "/CN=localhost", "-addext",
                    "subjectAltName=DNS:redis.example.test,IP:127.0.0.1"},
                   &exit_code);
  REQUIRE(exit_code == 0);
  const int tls_port = test::FreePort();
  test::RedisServer server({"--tls-port", std::to_string(tls_port), "--tls-cert-file", cert,
                            "--tls-key-file", key, "--tls-ca-cert-file", cert, "--tls-auth-clients",
                            "no", "--requirepass", "tls-pass"});
  REQUIRE(test::WaitForPort(tls_port, std::chrono::seconds(5)));
  setenv("TEST_REDIS_TLS_PASSWORD", "tls-pass", 1);
  const std::string base = "address: rediss://127.0.0.1:" + std::to_string(tls_port) +
                           "\npassword_env: TEST_REDIS_TLS_PASSWORD\n";

  auto verified = MakeCollector(base + "tls_config: {ca_file: " + cert + "}\n");
  auto result = CollectWithin(verified, std::chrono::seconds(5));
  CHECK(result.ErrorLine().empty());
  CHECK(FindValue(test::SamplesOf(result), "redis_up") == 1);
  // The connection is kept: a second scrape works on it.
  result = CollectWithin(verified, std::chrono::seconds(5));
  CHECK(result.ErrorLine().empty());
  CHECK(FindValue(test::SamplesOf(result), "redis_db_keys") == std::nullopt);

  auto untrusted = MakeCollector(base);
  result = CollectWithin(untrusted, std::chrono::seconds(5));
  CHECK(FindValue(test::SamplesOf(result), "redis_up") == 0);
  CHECK(result.ErrorLine().find("connect rediss://127.0.0.1:" + std::to_string(tls_port) +
                                ": TLS handshake: self-signed certificate") == 0);

  // tls_config.server_name: the name verified instead of the address's host.
  auto named = MakeCollector(base + "tls_config: {ca_file: " + cert +
                             ", server_name: redis.example.test}\n");
  result = CollectWithin(named, std::chrono::seconds(5));
  CHECK(result.ErrorLine().empty());
  auto misnamed = MakeCollector(base + "tls_config: {ca_file: " + cert +
                                ", server_name: other.example.test}\n");
  result = CollectWithin(misnamed, std::chrono::seconds(5));
  CHECK(FindValue(test::SamplesOf(result), "redis_up") == 0);
  CHECK_THAT(result.ErrorLine(), Catch::Contains("TLS handshake: hostname mismatch"));

  auto insecure = MakeCollector(base + "tls_config: {insecure_skip_verify: true}\n");
  result = CollectWithin(insecure, std::chrono::seconds(5));
  CHECK(result.ErrorLine().empty());

  auto plain_to_tls = MakeCollector("address: redis://127.0.0.1:" + std::to_string(tls_port));
  result = CollectWithin(plain_to_tls, std::chrono::seconds(3));
  CHECK(FindValue(test::SamplesOf(result), "redis_up") == 0);
  CHECK_FALSE(result.ErrorLine().empty());
}

TEST_CASE("a TLS peer that accepts and never answers ends at the deadline") {
  test::SilentPeer peer;
  auto collector = MakeCollector("address: rediss://127.0.0.1:" + std::to_string(peer.Port()));
  const auto started = Clock::now();
  const auto result = CollectWithin(collector, std::chrono::milliseconds(1000));
  CHECK(std::chrono::duration<double>(Clock::now() - started).count() < 1.5);
  CHECK(result.ErrorLine().find("TLS handshake: no answer before the deadline") !=
        std::string::npos);
}

}  // namespace ooe
