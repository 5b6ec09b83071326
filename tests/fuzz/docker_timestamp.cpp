// Fuzz target: RFC 3339 times as Docker writes them (collectors/docker/parser.h).
#include <cmath>
#include <cstdlib>
#include <string_view>

#include "collectors/docker/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto seconds =
      ooe::docker::ParseTimestamp(std::string_view(reinterpret_cast<const char*>(data), size));
  if (seconds && !std::isfinite(*seconds)) std::abort();
  return 0;
}
