// Fuzz target: the YAML config file, through the config loader and every collector kind's target
// parsing (exporter/config.h ParseConfigText). Any exception other than the ConfigError it turns
// into an error value would end the exporter with std::terminate, so it escapes here as a crash.
#include "exporter/config.h"

#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view yaml(reinterpret_cast<const char*>(data), size);
  // *_file keys read the file named: keep the fuzzer away from devices that never end.
  for (const std::string_view device : {"/dev", "/proc", "/sys"}) {
    if (yaml.find(device) != std::string_view::npos) return 0;
  }
  ooe::ParseConfigText(yaml, "fuzz.yml");
  return 0;
}
