// The RabbitMQ parsers and metric builder on real management API replies of RabbitMQ 3.10.
#include <catch2/catch.hpp>

#include "collectors/rabbitmq/collector.h"
#include "collectors/rabbitmq/parser.h"
#include "tests/support/collect.h"
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
  auto make = [](const std::string& yaml) { return test::MakeTarget("rabbitmq", yaml); };
  CHECK_THROWS_WITH(make("url: amqp://host:5672"),
                    Catch::Contains("test.yml: target.url: 'amqp://host:5672' must be"));
  CHECK_THROWS_WITH(make("url: http://u:p@host:15672"), Catch::Contains("target.url: credentials"));
  CHECK_THROWS_WITH(
      make("url: http://h:15672\ninclude_queues: '('"),
      Catch::Contains("target.include_queues: '(' is not a valid regular expression"));
  CHECK_THROWS_WITH(make("url: http://h:15672\npassword: x"),
                    Catch::Contains("target.password: secrets are not read"));
  CHECK(make("url: http://h:15672/").target == "h:15672");
}

}  // namespace ooe

namespace ooe {
namespace {

const rabbitmq::QueueSample* FindQueue(const std::vector<rabbitmq::QueueSample>& queues,
                                       const std::string& vhost, const std::string& name) {
  for (const auto& queue : queues) {
    if (queue.vhost == vhost && queue.name == name) return &queue;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("rabbitmq: rabbitmq_prometheus' /metrics/detailed of a real 3.10 node parses") {
  const auto queues = rabbitmq::ParseDetailedQueues(Fixture("detailed-queues-3.10.txt"));
  INFO(queues.error);
  REQUIRE(queues);
  CHECK(queues->size() == 7);
  const auto* task = FindQueue(*queues, "/", "ds.converttask");
  REQUIRE(task != nullptr);
  CHECK(task->messages_ready == 4);
  CHECK(task->messages_unacknowledged == 1);
  CHECK(task->messages == 5);
  CHECK(task->consumers == 1);
  CHECK_FALSE(task->memory.has_value());  // not in these families: from the statistics
  CHECK(FindQueue(*queues, "/", "ds.convertdead")->messages_ready == 1);
  // The plugin writes this name unescaped: queue="odd"name\with quote".
  const auto* odd = FindQueue(*queues, "other", "odd\"name\\with quote");
  REQUIRE(odd != nullptr);
  CHECK(odd->messages == 0);
  CHECK(FindQueue(*queues, "/", "amq.gen-D5sKZdTc_JTYJhKMAOmSAg")->consumers == 1);

  const auto other = rabbitmq::ParseDetailedQueues(Fixture("detailed-queues-vhost-other-3.10.txt"));
  REQUIRE(other);
  CHECK(other->size() == 2);
}

TEST_CASE("rabbitmq: /metrics/detailed parses the same in chunks of any size") {
  const std::string body = Fixture("detailed-queues-3.10.txt");
  const auto whole = rabbitmq::ParseDetailedQueues(body);
  REQUIRE(whole);
  for (const size_t chunk : {size_t{1}, size_t{2}, size_t{7}, size_t{100}, size_t{4096}}) {
    rabbitmq::DetailedQueuesParser parser;
    for (size_t at = 0; at < body.size(); at += chunk) {
      REQUIRE(parser.Feed(std::string_view(body).substr(at, chunk)));
    }
    const auto queues = parser.Finish();
    REQUIRE(queues);
    REQUIRE(queues->size() == whole->size());
    for (size_t i = 0; i < queues->size(); ++i) {
      CHECK((*queues)[i].name == (*whole)[i].name);
      CHECK((*queues)[i].messages_ready == (*whole)[i].messages_ready);
      CHECK((*queues)[i].consumers == (*whole)[i].consumers);
    }
  }
}

TEST_CASE("rabbitmq: replies that are not the plugin's /metrics/detailed are errors") {
  auto error = [](const std::string& body) {
    const auto parsed = rabbitmq::ParseDetailedQueues(body);
    CHECK_FALSE(parsed);
    return parsed.error;
  };
  CHECK(error("<html><body>Welcome to nginx!</body></html>") == "line 1: not a metric sample");
  // Another exporter on the port: valid text, but not RabbitMQ's.
  CHECK(error("# TYPE up gauge\nup 1\n") ==
        "no rabbitmq_identity_info: not rabbitmq_prometheus' /metrics/detailed");
  // Cut before the identity line that ends every reply.
  const std::string body = Fixture("detailed-queues-3.10.txt");
  CHECK(
      error(body.substr(0, body.find("rabbitmq_build_info"))).starts_with("no rabbitmq_identity"));
  CHECK(error("rabbitmq_detailed_queue_messages_ready{vhost=\"/\",queue=\"q\"} many\n") ==
        "line 1: \"many\" is not a number");
  CHECK(error("rabbitmq_detailed_queue_consumers{queue=\"q\"} 1\n") ==
        "line 1: rabbitmq_detailed_queue_consumers without vhost and queue");
  CHECK(error("rabbitmq_detailed_queue_messages{vhost=/,queue=q} 1\n") ==
        "line 1: labels are not name=\"value\" pairs");
  CHECK(error("rabbitmq_detailed_queue_messages{vhost=\"/\"\n") ==
        "line 1: labels without a closing brace");
  CHECK(error("rabbitmq_identity_info 1\n" + std::string(70'000, 'x')) ==
        "line 2: longer than 65536 bytes");
  // Only the families read are checked: other samples may carry anything.
  const auto fine = rabbitmq::ParseDetailedQueues(
      "rabbitmq_identity_info{rabbitmq_node=\"n\"} 1\nsomething_else{a=\"b\"} NaN\n");
  REQUIRE(fine);
  CHECK(fine->empty());
}

TEST_CASE("rabbitmq: every queue's counts merged with the statistics of Document Server's") {
  auto counts = rabbitmq::ParseQueuePage(Fixture("queues-disable-stats-3.10.json"));
  const auto stats = rabbitmq::ParseQueuePage(Fixture("queues-ds-stats-3.10.json"));
  REQUIRE(counts);
  REQUIRE(stats);
  CHECK(stats->total_count == 7);  // every queue the user sees; 4 matched
  CHECK(stats->queues.size() == 4);
  auto queues = std::move(counts.value->queues);
  CHECK_FALSE(FindQueue(queues, "/", "ds.converttask")->consumers.has_value());
  rabbitmq::MergeQueueStats(queues, stats->queues);
  CHECK(queues.size() == 7);
  const auto* task = FindQueue(queues, "/", "ds.converttask");
  CHECK(task->consumers == 1);
  CHECK(task->published == 5);
  CHECK(task->memory == 265808);
  CHECK(FindQueue(queues, "/", "ds.convertdead")->published == 1);
  CHECK_FALSE(FindQueue(queues, "other", "work")->consumers.has_value());

  // A queue declared between the two reads is still exported.
  std::vector<rabbitmq::QueueSample> none;
  rabbitmq::MergeQueueStats(none, stats->queues);
  CHECK(none.size() == 4);

  const auto overview = rabbitmq::ParseOverview(Fixture("overview-3.10.json"));
  const auto nodes = rabbitmq::ParseNodes(Fixture("nodes-3.10.json"));
  MetricSet metrics;
  rabbitmq::BuildMetrics(*overview, *nodes, queues, {}, metrics);
  const auto samples = test::ParseExposition(SerializeText(metrics.Take()));
  const std::map<std::string, std::string> converttask = {{"queue", "ds.converttask"}};
  CHECK(test::FindValue(samples, "rabbitmq_queue_consumers", converttask) == 1);
  CHECK(test::FindValue(samples, "rabbitmq_queue_messages_published_total", converttask) == 5);
  CHECK(test::FindValue(samples, "rabbitmq_queue_messages_ready", {{"queue", "work"}}) == 0);
  CHECK_FALSE(test::FindValue(samples, "rabbitmq_queue_consumers", {{"queue", "work"}}));
  CHECK(test::FindValue(samples, "rabbitmq_queues_server_named", {{"vhost", "/"}}) == 1);
}

TEST_CASE("rabbitmq: source, prometheus_url and stats_queues are checked") {
  auto make = [](const std::string& yaml) { return test::MakeTarget("rabbitmq", yaml); };
  CHECK_THROWS_WITH(make("url: http://h:15672\nsource: plugin"),
                    Catch::Contains("target.source: 'plugin' is not one of auto, prometheus"));
  CHECK_THROWS_WITH(make("url: http://h:15672\nprometheus_url: h:15692"),
                    Catch::Contains("target.prometheus_url: 'h:15692' must be"));
  CHECK_THROWS_WITH(make("url: http://h:15672\nstats_queues: '['"),
                    Catch::Contains("target.stats_queues: '[' is not a valid regular expression"));
  CHECK_NOTHROW(make("url: http://h:15672\nsource: management\nstats_queues: ''\nvhosts: [/]"));
}

}  // namespace ooe
