// Fuzz target: RabbitMQ's /api/nodes reply (collectors/rabbitmq/parser.h).
#include <string_view>

#include "collectors/rabbitmq/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ooe::rabbitmq::ParseNodes(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
