// The RabbitMQ collector reading every queue's counts from rabbitmq_prometheus' /metrics/detailed
// on a real node with both plugins, and falling back to the management API where the plugin is
// absent (the binary's shared node has rabbitmq_management only).
#include <catch2/catch.hpp>
#include <thread>

#include "collectors/rabbitmq/collector.h"
#include "tests/support/collect.h"
#include "tests/support/rabbitmq_server.h"
#include "tests/support/scrape.h"

namespace ooe {
namespace {

using test::FindValue;

test::RabbitmqServer& PluginServer() {
  static test::RabbitmqServer server(/*prometheus_plugin=*/true);
  return server;
}

std::string PluginUrl(const test::RabbitmqServer& server) {
  return "http://127.0.0.1:" + std::to_string(server.PrometheusPort());
}

std::string Target(const test::RabbitmqServer& server, const std::string& extra) {
  return "url: " + server.ManagementUrl() + "\nusername: guest\n" + extra;
}

std::vector<test::Sample> Scrape(const TargetCollector& collector, std::string* error = nullptr) {
  const auto result = collector.Collect(ScrapeContext{Clock::now() + std::chrono::seconds(10)});
  if (error != nullptr) *error = result.ErrorLine();
  return test::SamplesOf(result);
}

// The queues' own counts show at once; the management API's statistics every 500 ms here.
bool Eventually(const TargetCollector& collector, const std::string& metric,
                const std::map<std::string, std::string>& labels, double value) {
  for (int attempt = 0; attempt < 40; ++attempt) {
    if (FindValue(Scrape(collector), metric, labels) == value) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  return false;
}

std::optional<std::string> Source(const std::vector<test::Sample>& samples) {
  for (const auto& sample : samples) {
    if (sample.name == "onlyoffice_exporter_rabbitmq_queue_source") {
      return sample.labels.at("source");
    }
  }
  return std::nullopt;
}

const std::map<std::string, std::string> kConvertTask = {{"vhost", "/"},
                                                         {"queue", "ds.converttask"}};

}  // namespace

TEST_CASE("plugin: every queue's counts from /metrics/detailed, Document Server's statistics too") {
  auto& server = PluginServer();
  server.DeclareDocumentServerTopology();
  REQUIRE(server.Api("PUT", "/api/queues/%2F/app.work", R"({"durable":true})") / 100 == 2);
  auto collector =
      test::MakeTarget("rabbitmq", Target(server, "prometheus_url: " + PluginUrl(server)));
  for (int i = 0; i < 4; ++i) server.Publish("ds.converttask", "convert-" + std::to_string(i));
  server.Publish("app.work", "job");
  auto converter = server.Consume("ds.converttask");
  auto worker = server.Consume("app.work");
  auto docservice = server.Consume("", "ds.pubsub");

  CHECK(Eventually(collector, "rabbitmq_queue_messages_ack_total", kConvertTask, 4));
  std::string error;
  auto samples = Scrape(collector, &error);
  INFO(error);
  CHECK(error.empty());
  CHECK(Source(samples) == "prometheus");
  CHECK(FindValue(samples, "rabbitmq_up") == 1);
  CHECK(FindValue(samples, "rabbitmq_queue_consumers", kConvertTask) == 1);
  CHECK(FindValue(samples, "rabbitmq_queue_messages_ready", kConvertTask) == 0);
  CHECK(FindValue(samples, "rabbitmq_queue_messages_published_total", kConvertTask) == 4);
  CHECK(FindValue(samples, "rabbitmq_queue_memory", kConvertTask).value_or(0) > 0);
  CHECK(FindValue(samples, "rabbitmq_queue_state", kConvertTask) == 1);
  CHECK(FindValue(samples, "rabbitmq_queue_messages_ready", {{"queue", "ds.convertdead"}}) == 0);
  // Another application's queue: its counts and consumers from the plugin, no statistics.
  const std::map<std::string, std::string> work = {{"queue", "app.work"}};
  CHECK(Eventually(collector, "rabbitmq_queue_consumers", work, 1));
  samples = Scrape(collector);
  CHECK(FindValue(samples, "rabbitmq_queue_messages", work) == 0);
  CHECK_FALSE(FindValue(samples, "rabbitmq_queue_messages_published_total", work));
  CHECK_FALSE(FindValue(samples, "rabbitmq_queue_memory", work));
  // docservice's exclusive server-named queue: counted, not exported.
  CHECK(FindValue(samples, "rabbitmq_queues_server_named", {{"vhost", "/"}}) == 1);
  for (const auto& sample : samples) {
    if (sample.labels.contains("queue")) {
      CHECK_FALSE(sample.labels.at("queue").starts_with("amq.gen-"));
    }
  }

  // A converter that stops: 0 consumers on ds.converttask, seen at once through the plugin.
  converter.reset();
  CHECK(Eventually(collector, "rabbitmq_queue_consumers", kConvertTask, 0));
  // The same numbers as the management API alone reads.
  auto management = test::MakeTarget("rabbitmq", Target(server, "source: management"));
  CHECK(FindValue(Scrape(management), "rabbitmq_queue_messages_ack_total", kConvertTask) == 4);
  samples = Scrape(management, &error);
  CHECK(error.empty());
  CHECK(Source(samples) == "management");
  CHECK(FindValue(samples, "rabbitmq_queue_consumers", kConvertTask) == 0);
  CHECK(FindValue(samples, "rabbitmq_queue_messages", work) == 0);
  CHECK_FALSE(FindValue(samples, "rabbitmq_queue_consumers", work));  // no statistics asked
}

TEST_CASE("plugin: vhosts limit the queues read, from the plugin and the statistics alike") {
  auto& server = PluginServer();
  server.DeclareDocumentServerTopology();
  REQUIRE(server.Api("PUT", "/api/vhosts/tenant", "{}") / 100 == 2);
  REQUIRE(server.Api("PUT", "/api/permissions/tenant/guest",
                     R"({"configure":".*","write":".*","read":".*"})") /
              100 ==
          2);
  REQUIRE(server.Api("PUT", "/api/queues/tenant/ds.converttask", R"({"durable":true})") / 100 == 2);
  for (const auto& source : {"prometheus", "management"}) {
    INFO(source);
    auto collector = test::MakeTarget(
        "rabbitmq", Target(server, "vhosts: [tenant]\nsource: " + std::string(source) +
                                       "\nprometheus_url: " + PluginUrl(server)));
    const std::map<std::string, std::string> tenant_task = {{"vhost", "tenant"},
                                                            {"queue", "ds.converttask"}};
    CHECK(Eventually(collector, "rabbitmq_queue_consumers", tenant_task, 0));
    std::string error;
    const auto samples = Scrape(collector, &error);
    CHECK(error.empty());
    CHECK(Source(samples) == source);
    CHECK(test::CountSamples(samples, "rabbitmq_queue_messages") == 1);
    CHECK_FALSE(FindValue(samples, "rabbitmq_queue_messages", kConvertTask));
  }
}

TEST_CASE("no plugin: auto falls back to the management API, prometheus is an error") {
  auto& server = test::RabbitmqServer::Shared();  // rabbitmq_management only
  server.DeclareDocumentServerTopology();
  const std::string nobody = "http://127.0.0.1:" + std::to_string(test::FreePort());
  // Nothing listens on the plugin's port, or the port answers 404 (the management API's own).
  for (const auto& url : {nobody, server.ManagementUrl()}) {
    INFO(url);
    auto automatic = test::MakeTarget("rabbitmq", Target(server, "prometheus_url: " + url));
    std::string error;
    // A queue just declared shows its counts once it has reported them (every 500 ms here).
    std::vector<test::Sample> samples;
    for (int attempt = 0; attempt < 40; ++attempt) {
      samples = Scrape(automatic, &error);
      if (FindValue(samples, "rabbitmq_queue_consumers", kConvertTask)) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    CHECK(error.empty());
    CHECK(Source(samples) == "management");
    CHECK(FindValue(samples, "rabbitmq_up") == 1);
    CHECK(FindValue(samples, "rabbitmq_queue_messages_ready", kConvertTask).has_value());
    CHECK(FindValue(samples, "rabbitmq_queue_consumers", kConvertTask).has_value());
    // Later scrapes do not try the plugin again for a while: still the management API.
    samples = Scrape(automatic, &error);
    CHECK(Source(samples) == "management");

    auto plugin_only =
        test::MakeTarget("rabbitmq", Target(server, "source: prometheus\nprometheus_url: " + url));
    samples = Scrape(plugin_only, &error);
    CHECK(FindValue(samples, "rabbitmq_up") == 0);
    CHECK(error.find("/metrics/detailed") != std::string::npos);
    CHECK(error.find(url == nobody ? "Connection refused" : "HTTP 404") != std::string::npos);
  }
}

TEST_CASE("plugin: 5,000 queues exported from /metrics/detailed") {
  auto& server = PluginServer();
  std::string queues;
  for (int i = 0; i < 5000; ++i) {
    queues += std::string(i ? "," : "") + R"({"name":"many.)" + std::to_string(i) +
              R"(","vhost":"/","durable":false,"auto_delete":false,"arguments":{}})";
  }
  REQUIRE(server.Api("POST", "/api/definitions", R"({"queues":[)" + queues + "]}") / 100 == 2);
  auto collector = test::MakeTarget(
      "rabbitmq", Target(server, "max_queues: 100000\nprometheus_url: " + PluginUrl(server)));
  auto count_many = [](const std::vector<test::Sample>& samples) {
    size_t many = 0;
    for (const auto& sample : samples) {
      if (sample.name == "rabbitmq_queue_messages" &&
          sample.labels.at("queue").starts_with("many.")) {
        ++many;
      }
    }
    return many;
  };
  std::string error;
  std::vector<test::Sample> samples;
  for (int attempt = 0; attempt < 40; ++attempt) {
    samples = Scrape(collector, &error);
    if (count_many(samples) == 5000) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  INFO(error);
  CHECK(error.empty());
  CHECK(Source(samples) == "prometheus");
  CHECK(count_many(samples) == 5000);
  CHECK(FindValue(samples, "rabbitmq_queue_consumers", kConvertTask).has_value());
}

}  // namespace ooe
