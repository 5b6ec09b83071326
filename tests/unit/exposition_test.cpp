// Label values come from the watched systems (queue and vhost names, container labels): whatever
// bytes they hold, the exposition must stay one valid line per sample.
#include <prometheus/text_serializer.h>

#include <catch2/catch.hpp>
#include <limits>
#include <sstream>

#include "collectors/rabbitmq/collector.h"
#include "collectors/rabbitmq/parser.h"
#include "tests/support/process.h"
#include "tests/support/scrape.h"

namespace ooe {

TEST_CASE("label values with quotes, backslashes and newlines are escaped in the exposition") {
  // A queue name RabbitMQ accepts (any UTF-8 up to 255 bytes), in a vhost named likewise.
  const std::string page_json =
      R"({"items":[{"consumers":1,"exclusive":false,"memory":100,"messages":2,)"
      R"("messages_ready":2,"messages_unacknowledged":0,)"
      R"("name":"ds.\"quoted\" back\\slash\nnext line é","state":"running",)"
      R"("vhost":"tenant\\\"a\""}],"page":1,"page_count":1})";
  const auto overview = rabbitmq::ParseOverview(
      test::ReadFile(std::string(OOE_SOURCE_DIR) + "/tests/fixtures/rabbitmq/overview-3.10.json"));
  const auto page = rabbitmq::ParseQueuePage(page_json);
  REQUIRE(overview);
  REQUIRE(page);
  REQUIRE(page->queues.size() == 1);
  CHECK(page->queues.front().name == "ds.\"quoted\" back\\slash\nnext line é");

  MetricSet metrics;
  rabbitmq::BuildMetrics(*overview, {}, page->queues, {}, metrics);
  const std::string text = SerializeText(metrics.Take());

  const auto ready_line = text.find("rabbitmq_queue_messages_ready{");
  REQUIRE(ready_line != std::string::npos);
  const std::string line = text.substr(ready_line, text.find('\n', ready_line) - ready_line);
  CHECK(line.find(R"(queue="ds.\"quoted\" back\\slash\nnext line é")") != std::string::npos);
  CHECK(line.find(R"(vhost="tenant\\\"a\"")") != std::string::npos);
  CHECK(line.ends_with(" 2"));
  // No raw newline or unescaped quote leaked: every line is a comment or a whole sample.
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    const std::string sample = text.substr(start, end - start);
    INFO(sample);
    CHECK((sample.starts_with("#") || sample.find("} ") != std::string::npos ||
           sample.find('{') == std::string::npos));
    start = end == std::string::npos ? text.size() : end + 1;
  }
}

}  // namespace ooe

namespace ooe {

TEST_CASE("our text serializer writes what prometheus-cpp's TextSerializer writes, byte for byte") {
  std::vector<prometheus::MetricFamily> families;
  const std::vector<double> values = {0,
                                      -0.0,
                                      1,
                                      -1,
                                      0.1,
                                      1e-9,
                                      260.498231827,
                                      1.8e9,
                                      123456789012345678.0,
                                      1e21,
                                      5e-324,
                                      std::numeric_limits<double>::max(),
                                      std::numeric_limits<double>::lowest(),
                                      std::numeric_limits<double>::quiet_NaN(),
                                      std::numeric_limits<double>::infinity(),
                                      -std::numeric_limits<double>::infinity(),
                                      9223372036854771712.0,
                                      2.0 / 3};
  for (const auto type : {prometheus::MetricType::Counter, prometheus::MetricType::Gauge,
                          prometheus::MetricType::Untyped}) {
    prometheus::MetricFamily family;
    family.name = std::string("family_").append(std::to_string(static_cast<int>(type)));
    family.help = type == prometheus::MetricType::Gauge ? "" : "Help with \"quotes\" and é.";
    family.type = type;
    for (size_t i = 0; i < values.size(); ++i) {
      prometheus::ClientMetric metric;
      metric.counter.value = metric.gauge.value = metric.untyped.value = values[i];
      if (i % 3 != 0) {
        metric.label = {{"name", std::string("c").append(std::to_string(i))},
                        {"empty", ""},
                        {"odd", "q\"b\\é"}};
      }
      if (i == 5) metric.timestamp_ms = 1795618655323;
      family.metric.push_back(std::move(metric));
    }
    families.push_back(std::move(family));
  }
  prometheus::MetricFamily histogram;
  histogram.name = "latency_seconds";
  histogram.help = "A histogram, which goes through prometheus-cpp's own serializer.";
  histogram.type = prometheus::MetricType::Histogram;
  prometheus::ClientMetric observed;
  observed.histogram.sample_count = 3;
  observed.histogram.sample_sum = 0.6;
  observed.histogram.bucket = {{1, 0.5}, {3, std::numeric_limits<double>::infinity()}};
  observed.label = {{"le_not", "x"}};
  histogram.metric.push_back(observed);
  families.push_back(histogram);
  families.push_back(
      prometheus::MetricFamily{"empty_family", "No samples.", prometheus::MetricType::Gauge, {}});

  std::ostringstream reference;
  prometheus::TextSerializer().Serialize(reference, families);
  CHECK(SerializeText(families) == reference.str());
}

}  // namespace ooe

namespace ooe {

TEST_CASE("samples kept as text are written exactly as samples kept one by one") {
  auto fill = [](MetricSet& metrics) {
    metrics.Gauge("queue_depth", "Depth.", 3, {{"queue", "a\"b\\c\nd"}});
    metrics.Gauge("queue_depth", "Depth.", 0.5, {{"queue", "plain"}});
    metrics.Counter("queue_published_total", "Published.", 1e21, {{"queue", "plain"}});
    metrics.Untyped("queue_odd", "Odd.", std::numeric_limits<double>::infinity());
    metrics.Gauge("other", "Not kept as text.", 1);
  };
  // Two targets merged, as the scrape merges them: each keeps its own label.
  auto scrape = [&](bool as_text) {
    MetricSet all;
    for (const std::string target : {"one", "two"}) {
      MetricSet metrics({{"target", target}});
      if (as_text) metrics.KeepAsTextExcept({"other"});
      fill(metrics);
      all.Merge(metrics.Take());
    }
    return SerializeText(all.Take());
  };
  const std::string one_by_one = scrape(false);
  CHECK(scrape(true) == one_by_one);
  CHECK(one_by_one.find("queue_depth{target=\"two\",queue=\"a\\\"b\\\\c\\nd\"} 3\n") !=
        std::string::npos);
}

}  // namespace ooe
