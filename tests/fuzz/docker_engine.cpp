// Fuzz target: Docker's /version, /info and /events replies and error bodies
// (collectors/docker/parser.h).
#include <cstdlib>
#include <string_view>

#include "collectors/docker/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  ooe::docker::ParseVersion(body);
  ooe::docker::ParseEngineInfo(body);
  // Every container named comes from an event counted.
  if (const auto events = ooe::docker::ParseEvents(body);
      events && events->containers.size() > events->count) {
    std::abort();
  }
  // The message goes into a log line: one line, at most 200 bytes.
  const auto message = ooe::docker::ErrorMessage(body);
  if (message.size() > 200 || message.find('\n') != std::string::npos) std::abort();
  return 0;
}
