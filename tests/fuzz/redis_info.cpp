// Fuzz target: Redis INFO text (collectors/redis/parser.h).
#include <cmath>
#include <cstdlib>
#include <string_view>

#include "collectors/redis/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto info = ooe::redis::ParseInfo(text);
  if (!info) return 0;
  for (const auto& [name, value] : info->fields) {
    // A number read from INFO becomes a sample value: never NaN or infinite.
    if (const auto number = info->Number(name); number && !std::isfinite(*number)) std::abort();
  }
  return 0;
}
