// The Redis parser and metric builder on real INFO ALL output of Redis 7.0.
#include <catch2/catch.hpp>

#include "collectors/redis/client.h"
#include "collectors/redis/collector.h"
#include "collectors/redis/parser.h"
#include "tests/support/process.h"
#include "tests/support/scrape.h"

namespace ooe {
namespace {

std::string Fixture(const std::string& name) {
  return test::ReadFile(std::string(OOE_SOURCE_DIR) + "/tests/fixtures/redis/" + name);
}

std::vector<test::Sample> Build(const std::string& info_text, redis::Snapshot snapshot = {}) {
  const auto info = redis::ParseInfo(info_text);
  REQUIRE(info);
  MetricSet metrics;
  redis::BuildMetrics(*info, snapshot, metrics);
  return test::ParseExposition(SerializeText(metrics.Take()));
}

}  // namespace

TEST_CASE("INFO ALL of a Redis 7.0 master parses into redis_exporter's metrics") {
  const auto samples = Build(Fixture("info-all-7.0-master.txt"));
  CHECK(test::FindValue(samples, "redis_connected_clients") == 1);
  CHECK(test::FindValue(samples, "redis_memory_used_bytes") == 1282608);
  CHECK(test::FindValue(samples, "redis_memory_max_bytes") == 0);
  CHECK(test::FindValue(samples, "redis_connected_slaves") == 1);
  CHECK(test::FindValue(samples, "redis_rdb_last_bgsave_status") == 1);
  CHECK(test::FindValue(samples, "redis_aof_enabled") == 0);
  CHECK(test::FindValue(samples, "redis_rdb_last_save_timestamp_seconds") == 1795573926);
  CHECK(test::FindValue(samples, "redis_db_keys", {{"db", "db0"}}) == 2);
  CHECK(test::FindValue(samples, "redis_db_keys_expiring", {{"db", "db0"}}) == 1);
  CHECK(test::FindValue(samples, "redis_db_avg_ttl_seconds", {{"db", "db0"}}) == Approx(94.449));
  CHECK(test::FindValue(samples, "redis_db_keys", {{"db", "db2"}}) == 20);
  CHECK(test::FindValue(samples, "redis_commands_total", {{"cmd", "get"}}) == 2);
  CHECK(test::FindValue(samples, "redis_commands_duration_seconds_total", {{"cmd", "get"}}) ==
        Approx(5e-6));
  CHECK(test::FindValue(samples, "redis_instance_info",
                        {{"role", "master"}, {"redis_version", "7.0.15"}}) == 1);
  // A master has no link to a master: no redis_master_link_up, as redis_exporter.
  CHECK_FALSE(test::FindValue(samples, "redis_master_link_up"));
  // CONFIG GET was not answered: maxclients comes from INFO (7.0+).
  CHECK(test::FindValue(samples, "redis_config_maxclients") == 10000);
}

TEST_CASE("a replica whose link is down exports redis_master_link_up 0") {
  const auto samples = Build(Fixture("info-all-7.0-replica.txt"));
  CHECK(test::FindValue(samples, "redis_master_link_up") == 0);
  CHECK(test::FindValue(samples, "redis_instance_info", {{"role", "slave"}}) == 1);
}

TEST_CASE("CONFIG GET answers win over INFO's copy of the settings") {
  redis::Snapshot snapshot;
  snapshot.maxclients = "128";
  snapshot.maxmemory = "1048576";
  const auto samples = Build(Fixture("info-all-7.0-master.txt"), snapshot);
  CHECK(test::FindValue(samples, "redis_config_maxclients") == 128);
  CHECK(test::FindValue(samples, "redis_config_maxmemory") == 1048576);
}

TEST_CASE("counters carry _total and the counter type") {
  const auto info = redis::ParseInfo(Fixture("info-all-7.0-master.txt"));
  REQUIRE(info);
  MetricSet metrics;
  redis::BuildMetrics(*info, {}, metrics);
  const auto text = SerializeText(metrics.Take());
  CHECK(text.find("# TYPE redis_keyspace_hits_total counter") != std::string::npos);
  CHECK(text.find("# TYPE redis_evicted_keys_total counter") != std::string::npos);
  CHECK(text.find("# TYPE redis_memory_used_bytes gauge") != std::string::npos);
}

TEST_CASE("INFO garbage is an error, not a set of zeros") {
  CHECK_FALSE(redis::ParseInfo(""));
  CHECK_FALSE(redis::ParseInfo("# Server\r\n"));
  const auto garbage = redis::ParseInfo("HTTP/1.1 400 Bad Request\r\n");
  REQUIRE_FALSE(garbage);
  CHECK(garbage.error == "INFO line 1 is not field:value");
}

TEST_CASE("non-numeric INFO values are left out, not exported as 0") {
  const auto samples = Build("used_memory:abc\r\nconnected_clients:3\r\n");
  CHECK_FALSE(test::FindValue(samples, "redis_memory_used_bytes"));
  CHECK(test::FindValue(samples, "redis_connected_clients") == 3);
}

TEST_CASE("Redis addresses parse as redis_exporter accepts them") {
  std::string error;
  auto address = redis::ParseAddress("redis://cache:6380", error);
  REQUIRE(address);
  CHECK(address->host == "cache");
  CHECK(address->port == 6380);
  address = redis::ParseAddress("localhost", error);
  REQUIRE(address);
  CHECK(address->port == 6379);
  address = redis::ParseAddress("unix:///run/redis.sock", error);
  REQUIRE(address);
  CHECK(address->socket_path == "/run/redis.sock");
  address = redis::ParseAddress("redis://[::1]:7000/0", error);
  REQUIRE(address);
  CHECK(address->host == "::1");
  CHECK(address->port == 7000);
  CHECK_FALSE(redis::ParseAddress("redis://user:secret@host:6379", error));
  CHECK(error.find("password_file") != std::string::npos);
  CHECK(error.find("secret") == std::string::npos);
  CHECK_FALSE(redis::ParseAddress("http://host:6379", error));
  CHECK_FALSE(redis::ParseAddress("redis://host:99999", error));
  CHECK_FALSE(redis::ParseAddress("unix://relative", error));
}

}  // namespace ooe
