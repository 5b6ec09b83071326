// Fuzz target: nginx's stub_status page (collectors/nginx/parser.h).
#include <cmath>
#include <cstdlib>
#include <string_view>

#include "collectors/nginx/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto status = ooe::nginx::ParseStubStatus(text);
  if (!status) {
    if (status.error.empty()) std::abort();  // a failure always says why
    return 0;
  }
  for (const auto& field : {status->active, status->accepted, status->handled, status->requests,
                            status->reading, status->writing, status->waiting}) {
    // Every field of a parsed page is a count: set, finite, not negative.
    if (!field || !std::isfinite(*field) || *field < 0) std::abort();
  }
  return 0;
}
