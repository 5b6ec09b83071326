// Fuzz target: RFC 3339 times as Docker writes them (collectors/docker/parser.h).
#include <cmath>
#include <cstdlib>
#include <string_view>

#include "collectors/docker/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto seconds =
      ooe::docker::ParseTimestamp(std::string_view(reinterpret_cast<const char*>(data), size));
  if (seconds && !std::isfinite(*seconds)) std::abort();
  // The whole seconds are the same time, rounded down: never more than a second apart.
  const auto whole =
      ooe::docker::ParseTimestampUnix(std::string_view(reinterpret_cast<const char*>(data), size));
  if (whole.has_value() != seconds.has_value()) std::abort();
  if (whole &&
      (*seconds < static_cast<double>(*whole) - 1 || *seconds > static_cast<double>(*whole) + 2)) {
    std::abort();
  }
  return 0;
}
