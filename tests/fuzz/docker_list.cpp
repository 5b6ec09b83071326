// Fuzz target: Docker's /containers/json reply and Podman's libpod list, which the same parser
// reads (collectors/docker/parser.h).
#include <string_view>

#include "collectors/docker/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ooe::docker::ParseContainerList(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
