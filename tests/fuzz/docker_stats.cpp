// Fuzz target: Docker's /containers/ID/stats reply (collectors/docker/parser.h).
#include <cstdlib>
#include <string_view>

#include "collectors/docker/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const auto stats = ooe::docker::ParseStats(body);
  if (!stats) return 0;
  // cAdvisor's working set is never negative, whatever the daemon says.
  if (const auto working_set = ooe::docker::WorkingSetBytes(*stats);
      working_set && *working_set < 0) {
    std::abort();
  }
  return 0;
}
