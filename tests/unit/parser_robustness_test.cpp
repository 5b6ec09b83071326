// What fuzzing (tests/fuzz) found in the parsers: each case is a reply that once crashed, threw
// through, invoked undefined behaviour or was silently misread, and must now be an error value or
// a sensible reading.
#include <catch2/catch.hpp>

#include "collectors/rabbitmq/parser.h"

namespace ooe {

TEST_CASE("rabbitmq: a queue page with a huge, negative or fractional page_count is an error") {
  for (const char* count : {"1e300", "-3", "2.5", "100001", "18446744073709551615"}) {
    const auto page = rabbitmq::ParseQueuePage(
        std::string(R"({"items":[],"page":1,"page_count":)") + count + R"(,"total_count":0})");
    INFO(count);
    REQUIRE_FALSE(page);
    CHECK(page.error == "\"page_count\" is not a whole number from 0 to 100000");
  }
  const auto page = rabbitmq::ParseQueuePage(R"({"items":[],"page":0,"page_count":1})");
  CHECK_FALSE(page);
  const auto empty = rabbitmq::ParseQueuePage(R"({"items":[],"page":1,"page_count":0})");
  REQUIRE(empty);
  CHECK(empty->page_count == 0);
}

}  // namespace ooe
