// The RabbitMQ parsers and metric builder on real management API replies of RabbitMQ 3.10.
#include <catch2/catch.hpp>

#include "collectors/rabbitmq/collector.h"
#include "collectors/rabbitmq/parser.h"
#include "tests/support/process.h"
#include "tests/support/scrape.h"

namespace ooe {
namespace {

std::string Fixture(const std::string& name) {
  return test::ReadFile(std::string(OOE_SOURCE_DIR) + "/tests/fixtures/rabbitmq/" + name);
}

std::vector<test::Sample> Build(const rabbitmq::QueueFilter& filter = {}) {
  const auto overview = rabbitmq::ParseOverview(Fixture("overview-3.10.json"));
  const auto nodes = rabbitmq::ParseNodes(Fixture("nodes-3.10.json"));
  const auto page = rabbitmq::ParseQueuePage(Fixture("queues-page-3.10.json"));
  REQUIRE(overview);
  REQUIRE(nodes);
  REQUIRE(page);
  MetricSet metrics;
  rabbitmq::BuildMetrics(*overview, *nodes, page->queues, filter, metrics);
  return test::ParseExposition(SerializeText(metrics.Take()));
}

}  // namespace

TEST_CASE("rabbitmq: overview, nodes and queues of a real 3.10 node parse") {
  const auto overview = rabbitmq::ParseOverview(Fixture("overview-3.10.json"));
  REQUIRE(overview);
  CHECK(overview->rabbitmq_version == "3.10.8");
  CHECK(overview->erlang_version == "25.2.3");
  CHECK(overview->queues == 7);
  CHECK(overview->messages_ready == 3);
  // The full overview (every field) gives the same facts.
  const auto full = rabbitmq::ParseOverview(Fixture("overview-full-3.10.json"));
  REQUIRE(full);
  CHECK(full->rabbitmq_version == "3.10.8");

  const auto nodes = rabbitmq::ParseNodes(Fixture("nodes-3.10.json"));
  REQUIRE(nodes);
  REQUIRE(nodes->size() == 1);
  CHECK(nodes->front().name == "ooetest@localhost");
  CHECK(nodes->front().running);
  CHECK(nodes->front().fd_total == 20000);
  CHECK(nodes->front().partitions == 0);

  const auto page = rabbitmq::ParseQueuePage(Fixture("queues-page-3.10.json"));
  REQUIRE(page);
  CHECK(page->queues.size() == 7);
  CHECK(page->page_count == 1);
  const auto array = rabbitmq::ParseQueuePage(Fixture("queues-array-3.10.json"));
  REQUIRE(array);
  CHECK(array->queues.size() == 7);
  const auto first = rabbitmq::ParseQueuePage(Fixture("queues-page1-size2-3.10.json"));
  REQUIRE(first);
  CHECK(first->queues.size() == 2);
  CHECK(first->page_count == 4);
  CHECK(first->total_count == 7);
}

TEST_CASE("rabbitmq: Document Server's queues become kbudde-named metrics") {
  const auto samples = Build();
  const std::map<std::string, std::string> task = {{"vhost", "/"}, {"queue", "ds.converttask"}};
  CHECK(test::FindValue(samples, "rabbitmq_queue_messages_ready", task) == 3);
  CHECK(test::FindValue(samples, "rabbitmq_queue_consumers", task) == 0);
  CHECK(test::FindValue(samples, "rabbitmq_queue_messages_published_total", task) == 8);
  CHECK(test::FindValue(samples, "rabbitmq_queue_messages_delivered_total", task) == 5);
  CHECK(test::FindValue(samples, "rabbitmq_queue_messages_ack_total", task) == 5);
  CHECK(test::FindValue(samples, "rabbitmq_queue_messages_redelivered_total", task) == 0);
  CHECK(test::FindValue(samples, "rabbitmq_queue_state",
                        {{"queue", "ds.converttask"}, {"state", "running"}}) == 1);
  CHECK(test::FindValue(samples, "rabbitmq_queues") == 7);
  CHECK(test::FindValue(samples, "rabbitmq_running", {{"node", "ooetest@localhost"}}) == 1);
  CHECK(test::FindValue(samples, "rabbitmq_node_mem_alarm") == 0);
  CHECK(test::FindValue(samples, "rabbitmq_version_info", {{"rabbitmq_version", "3.10.8"}}) == 1);
  // A queue that never saw a message has no message_stats: no counters, not zeros.
  CHECK_FALSE(test::FindValue(samples, "rabbitmq_queue_messages_published_total",
                              {{"queue", "ds.convertresponse"}}));
}

TEST_CASE("rabbitmq: server-named queues (one per docservice) are counted, not exported") {
  auto samples = Build();
  CHECK(test::FindValue(samples, "rabbitmq_queues_server_named", {{"vhost", "/"}}) == 3);
  for (const auto& sample : samples) {
    if (sample.labels.contains("queue"))
      CHECK_FALSE(sample.labels.at("queue").starts_with("amq.gen-"));
  }
  rabbitmq::QueueFilter all;
  all.export_server_named = true;
  samples = Build(all);
  CHECK(test::CountSamples(samples, "rabbitmq_queue_messages_ready") == 7);
}

TEST_CASE("rabbitmq: include and exclude regexes and the queue limit bound cardinality") {
  rabbitmq::QueueFilter filter;
  filter.include = std::regex("ds\\..*");
  filter.exclude = std::regex("ds\\.delayed");
  auto samples = Build(filter);
  CHECK(test::CountSamples(samples, "rabbitmq_queue_messages_ready") == 3);
  CHECK_FALSE(test::FindValue(samples, "rabbitmq_queue_messages_ready", {{"queue", "ds.delayed"}}));
  rabbitmq::QueueFilter limited;
  limited.max_queues = 2;
  samples = Build(limited);
  CHECK(test::CountSamples(samples, "rabbitmq_queue_messages_ready") == 2);
  CHECK(test::FindValue(samples, "rabbitmq_queues_skipped") == 2);
}

TEST_CASE("rabbitmq: garbage, truncated and wrongly shaped replies are errors") {
  CHECK_FALSE(rabbitmq::ParseOverview(""));
  CHECK_FALSE(rabbitmq::ParseOverview("<html>502 Bad Gateway</html>"));
  CHECK_FALSE(rabbitmq::ParseOverview("[]"));
  CHECK(rabbitmq::ParseOverview(Fixture("unauthorized-3.10.body")).error ==
        "no rabbitmq_version: not a management API overview");
  CHECK_FALSE(rabbitmq::ParseNodes("{}"));
  const auto full = Fixture("queues-page-3.10.json");
  const auto truncated = rabbitmq::ParseQueuePage(full.substr(0, full.size() / 2));
  REQUIRE_FALSE(truncated);
  CHECK(truncated.error.find("not valid JSON at byte") == 0);
  CHECK_FALSE(rabbitmq::ParseQueuePage("42"));
  CHECK_FALSE(rabbitmq::ParseQueuePage("{\"error\":\"not_authorized\"}"));
  // Wrong types are ignored field by field, never taken as numbers.
  const auto odd = rabbitmq::ParseQueuePage(
      R"([{"name":"q","vhost":"/","messages_ready":"many","consumers":null}])");
  REQUIRE(odd);
  CHECK_FALSE(odd->queues.front().messages_ready);
  CHECK_FALSE(odd->queues.front().consumers);
}

TEST_CASE("rabbitmq: target configuration errors name the key") {
  auto make = [](const std::string& yaml) {
    return MakeRabbitmqCollector(ConfigNode(YAML::Load(yaml), "test.yml", "target"));
  };
  CHECK_THROWS_WITH(make("url: amqp://host:5672"),
                    Catch::Contains("test.yml: target.url: 'amqp://host:5672' must be"));
  CHECK_THROWS_WITH(make("url: http://u:p@host:15672"), Catch::Contains("target.url: credentials"));
  CHECK_THROWS_WITH(
      make("url: http://h:15672\ninclude_queues: '('"),
      Catch::Contains("target.include_queues: '(' is not a valid regular expression"));
  CHECK_THROWS_WITH(make("url: http://h:15672\npassword: x"),
                    Catch::Contains("target.password: secrets are not read"));
  CHECK(make("url: http://h:15672/")->Target() == "h:15672");
}

}  // namespace ooe
