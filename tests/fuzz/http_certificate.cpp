// Fuzz target: certificate fields as curl lists them (collectors/http/certificate.h): one
// "Name:value" field a line, certificates separated by blank lines.
#include <string_view>
#include <vector>

#include "collectors/http/certificate.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::vector<std::string_view>> chain(1);
  size_t start = 0;
  while (start <= text.size()) {
    const auto end = std::min(text.find('\n', start), text.size());
    const auto line = text.substr(start, end - start);
    if (line.empty()) {
      chain.emplace_back();
    } else {
      chain.back().push_back(line);
    }
    ooe::ParseCertificateTime(line);
    start = end + 1;
  }
  ooe::EarliestExpiry(chain);
  return 0;
}
