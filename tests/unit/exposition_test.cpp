// Label values come from the watched systems (queue and vhost names, container labels): whatever
// bytes they hold, the exposition must stay one valid line per sample.
#include <catch2/catch.hpp>

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
