// Fuzz target: the --web.config.file loader (exporter/web_config.h LoadWebConfig). It reads a
// path, so the input goes into a memory file first. Anything but a ConfigError escaping it would
// end the exporter with std::terminate, so it escapes here as a crash.
#include "exporter/web_config.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <string_view>

#include "base/config_node.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view yaml(reinterpret_cast<const char*>(data), size);
  for (const std::string_view device : {"/dev", "/proc", "/sys"}) {
    if (yaml.find(device) != std::string_view::npos) return 0;
  }
  static const int kFile = memfd_create("web-config", 0);
  if (kFile < 0 || ftruncate(kFile, 0) != 0 ||
      pwrite(kFile, data, size, 0) != static_cast<ssize_t>(size)) {
    std::abort();
  }
  try {
    ooe::LoadWebConfig("/proc/self/fd/" + std::to_string(kFile));
  } catch (const ooe::ConfigError&) {
  }
  return 0;
}
