// The RabbitMQ collector against a real rabbitmq-server with the management plugin, started by
// this binary (one node shared by the cases that do not stop it).
#include <catch2/catch.hpp>
#include <thread>

#include "collectors/rabbitmq/collector.h"
#include "tests/support/collect.h"
#include "tests/support/rabbitmq_server.h"
#include "tests/support/scrape.h"

namespace ooe {
namespace {

using test::FindValue;

TargetCollector MakeCollector(const std::string& yaml) {
  return test::MakeTarget("rabbitmq", yaml);
}

std::string GuestTarget(const test::RabbitmqServer& server, const std::string& extra = "") {
  setenv("TEST_RABBITMQ_GUEST_PASSWORD", "guest", 1);
  return "url: " + server.ManagementUrl() +
         "\nusername: guest\npassword_env: TEST_RABBITMQ_GUEST_PASSWORD\n" + extra;
}

std::vector<test::Sample> Scrape(const TargetCollector& collector, std::string* error = nullptr) {
  const auto result = collector.Collect(ScrapeContext{Clock::now() + std::chrono::seconds(10)});
  if (error != nullptr) *error = result.ErrorLine();
  return test::SamplesOf(result);
}

// The broker publishes queue statistics every 500 ms here: poll until `value` shows.
bool Eventually(const TargetCollector& collector, const std::string& metric,
                const std::map<std::string, std::string>& labels, double value) {
  for (int attempt = 0; attempt < 40; ++attempt) {
    if (FindValue(Scrape(collector), metric, labels) == value) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  return false;
}

const std::map<std::string, std::string> kConvertTask = {{"vhost", "/"},
                                                         {"queue", "ds.converttask"}};

}  // namespace

TEST_CASE("Document Server's topology: backlog, consumers and counters as the broker has them") {
  auto& server = test::RabbitmqServer::Shared();
  server.DeclareDocumentServerTopology();
  auto collector = MakeCollector(GuestTarget(server));

  for (int i = 0; i < 7; ++i) server.Publish("ds.converttask", "convert-" + std::to_string(i));
  CHECK(Eventually(collector, "rabbitmq_queue_messages_ready", kConvertTask, 7));
  auto samples = Scrape(collector);
  CHECK(FindValue(samples, "rabbitmq_up") == 1);
  CHECK(FindValue(samples, "rabbitmq_queue_consumers", kConvertTask) == 0);
  CHECK(FindValue(samples, "rabbitmq_queue_messages_published_total", kConvertTask) == 7);
  CHECK(FindValue(samples, "rabbitmq_queue_messages_ready", {{"queue", "ds.convertdead"}}) == 0);

  // A converter attaches and works off the backlog, acknowledging each message.
  auto converter = server.Consume("ds.converttask");
  CHECK(Eventually(collector, "rabbitmq_queue_consumers", kConvertTask, 1));
  CHECK(Eventually(collector, "rabbitmq_queue_messages_ack_total", kConvertTask, 7));
  samples = Scrape(collector);
  CHECK(FindValue(samples, "rabbitmq_queue_messages_ready", kConvertTask) == 0);
  CHECK(FindValue(samples, "rabbitmq_queue_messages_delivered_total", kConvertTask) == 7);
  CHECK(FindValue(samples, "rabbitmq_consumers").value() >= 1);

  // Each docservice holds an exclusive server-named queue on ds.pubsub: counted, not exported.
  auto docservice = server.Consume("", "ds.pubsub");
  CHECK(Eventually(collector, "rabbitmq_queues_server_named", {{"vhost", "/"}}, 1));
  for (const auto& sample : Scrape(collector)) {
    if (sample.labels.contains("queue")) {
      CHECK_FALSE(sample.labels.at("queue").starts_with("amq.gen-"));
    }
  }
  converter.reset();
  CHECK(Eventually(collector, "rabbitmq_queue_consumers", kConvertTask, 0));
}

TEST_CASE(
    "the monitoring tag (and vhost access without rights) is enough; errors say what is "
    "missing") {
  auto& server = test::RabbitmqServer::Shared();
  server.DeclareDocumentServerTopology();
  std::string body;
  const long status = server.Api("PUT", "/api/users/ooe-monitor",
                                 R"({"password":"monitor-pass","tags":"monitoring"})", &body);
  INFO(status << " " << body);
  REQUIRE(status / 100 == 2);
  test::TempDir dir;
  test::WriteFile(dir / "password", "monitor-pass\n");
  // Without access to a vhost, the monitoring tag shows global totals but none of its queues.
  auto no_vhost =
      MakeCollector("url: " + server.ManagementUrl() +
                    "\nusername: ooe-monitor\npassword_file: " + (dir / "password").string());
  std::string error;
  auto samples = Scrape(no_vhost, &error);
  CHECK(FindValue(samples, "rabbitmq_up") == 1);
  CHECK(error.find("/api/queues: the user sees none of the") != std::string::npos);
  CHECK(error.find("rabbitmqctl set_permissions -p VHOST USER '' '' ''") != std::string::npos);
  // Access without any configure, write or read right is enough.
  REQUIRE(server.Api("PUT", "/api/permissions/%2F/ooe-monitor",
                     R"({"configure":"","write":"","read":""})") /
              100 ==
          2);

  test::WriteFile(dir / "wrong", "not-the-password\n");
  auto monitor =
      MakeCollector("url: " + server.ManagementUrl() +
                    "\nusername: ooe-monitor\npassword_file: " + (dir / "password").string());
  samples = Scrape(monitor, &error);
  CHECK(error.empty());
  CHECK(FindValue(samples, "rabbitmq_up") == 1);
  CHECK(FindValue(samples, "rabbitmq_running").value() == 1);
  CHECK(FindValue(samples, "rabbitmq_queue_messages_ready", kConvertTask).has_value());

  auto wrong = MakeCollector("url: " + server.ManagementUrl() +
                             "\nusername: ooe-monitor\npassword_file: " + (dir / "wrong").string());
  samples = Scrape(wrong, &error);
  CHECK(FindValue(samples, "rabbitmq_up") == 0);
  CHECK(error == "GET " + server.ManagementUrl() +
                     "/api/overview: HTTP 401: check the RabbitMQ user name and "
                     "password");
  CHECK(error.find("not-the-password") == std::string::npos);

  // Without the monitoring tag the node data is refused, and the error says which tag.
  REQUIRE(server.Api("PUT", "/api/users/ooe-plain",
                     R"({"password":"plain-pass","tags":"management"})") /
              100 ==
          2);
  test::WriteFile(dir / "plain", "plain-pass");
  auto plain = MakeCollector("url: " + server.ManagementUrl() +
                             "\nusername: ooe-plain\npassword_file: " + (dir / "plain").string());
  samples = Scrape(plain, &error);
  CHECK(FindValue(samples, "rabbitmq_up") == 0);
  CHECK(error == "GET " + server.ManagementUrl() +
                     "/api/nodes: HTTP 401: the user needs the 'monitoring' tag (rabbitmqctl "
                     "set_user_tags USER monitoring)");
}

TEST_CASE("2,000 queues: every one exported across pages, or filtered as configured") {
  auto& server = test::RabbitmqServer::Shared();
  // One definitions import instead of 2,000 calls.
  std::string queues;
  for (int i = 0; i < 2000; ++i) {
    queues += std::string(i ? "," : "") + R"({"name":"bulk.)" + std::to_string(i) +
              R"(","vhost":"/","durable":true,"auto_delete":false,"arguments":{}})";
  }
  REQUIRE(server.Api("POST", "/api/definitions", R"({"queues":[)" + queues + "]}") / 100 == 2);
  auto collector = MakeCollector(GuestTarget(server, "page_size: 300\n"));
  // New queues show their message counts once the broker has collected their statistics.
  auto count_bulk = [](const std::vector<test::Sample>& samples) {
    size_t bulk = 0;
    for (const auto& sample : samples) {
      if (sample.name == "rabbitmq_queue_messages" &&
          sample.labels.at("queue").starts_with("bulk.")) {
        ++bulk;
      }
    }
    return bulk;
  };
  for (int attempt = 0; attempt < 40 && count_bulk(Scrape(collector)) < 2000; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  const auto started = Clock::now();
  std::string error;
  auto samples = Scrape(collector, &error);
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  INFO(error);
  CHECK(error.empty());
  CHECK(count_bulk(samples) == 2000);
  CHECK(FindValue(samples, "rabbitmq_queues_skipped") == 0);
  std::printf("2,000 queues (7 pages of 300): collected in %.3f s\n", seconds);

  auto filtered =
      MakeCollector(GuestTarget(server, "include_queues: 'ds\\..*'\nexclude_queues: ds.delayed\n"));
  samples = Scrape(filtered);
  // ds.convertdead, ds.convertresponse, ds.converttask; ds.delayed is excluded.
  CHECK(test::CountSamples(samples, "rabbitmq_queue_messages") == 3);
}

TEST_CASE("the node stopped: rabbitmq_up 0 while /metrics still answers") {
  test::RabbitmqServer server;
  test::TempDir dir;
  test::WriteFile(dir / "password", "guest");
  test::ExporterProcess exporter({"--rabbitmq.url=" + server.ManagementUrl(),
                                  "--rabbitmq.user=guest",
                                  "--rabbitmq.password-file=" + (dir / "password").string()});
  auto scrape = exporter.Get();
  REQUIRE(scrape.status == 200);
  CHECK(FindValue(test::ParseExposition(scrape.body), "rabbitmq_up") == 1);
  server.Stop();
  scrape = exporter.Get();
  CHECK(scrape.status == 200);
  const auto samples = test::ParseExposition(scrape.body);
  CHECK(FindValue(samples, "rabbitmq_up") == 0);
  CHECK(FindValue(samples, "onlyoffice_exporter_collector_success", {{"collector", "rabbitmq"}}) ==
        0);
  INFO(exporter.Log());
  CHECK(exporter.Log().find("Connection refused") != std::string::npos);
}

}  // namespace ooe
