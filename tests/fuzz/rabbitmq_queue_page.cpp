// Fuzz target: a page of RabbitMQ's /api/queues, through the SAX parser
// (collectors/rabbitmq/parser.h).
#include <cstdlib>
#include <string_view>

#include "collectors/rabbitmq/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto page =
      ooe::rabbitmq::ParseQueuePage(std::string_view(reinterpret_cast<const char*>(data), size));
  // The client requests pages 2..page_count: never a page below 1 or a count in the millions.
  if (page && (page->page < 1 || page->page_count < 0 || page->page_count > 100'000)) {
    std::abort();
  }
  return 0;
}
