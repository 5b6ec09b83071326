// Fuzz target: rabbitmq_prometheus' /metrics/detailed text through the streaming line parser
// (collectors/rabbitmq/parser.h), whole and in two chunks split where the first byte says: both
// must agree, since the transport hands the parser whatever chunks arrive.
#include <cstdlib>
#include <string_view>

#include "collectors/rabbitmq/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const auto whole = ooe::rabbitmq::ParseDetailedQueues(body);
  const size_t split = size == 0 ? 0 : data[0] % size;
  ooe::rabbitmq::DetailedQueuesParser parser;
  parser.Feed(body.substr(0, split));
  parser.Feed(body.substr(split));
  const auto chunked = parser.Finish();
  if (static_cast<bool>(whole) != static_cast<bool>(chunked)) std::abort();
  if (whole && whole->size() != chunked->size()) std::abort();
  if (!whole && whole.error != chunked.error) std::abort();
  return 0;
}
