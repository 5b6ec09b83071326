// Fuzz target: nginx error log lines (collectors/logs/nginx_error.h), the input split into lines
// as the follower hands them on.
#include <cstdlib>
#include <string_view>

#include "collectors/logs/nginx_error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  while (!text.empty()) {
    const auto end = text.find('\n');
    const auto line = text.substr(0, end);
    if (const auto entry = ooe::logs::ClassifyNginxErrorLine(line)) {
      // Labels come only from the fixed sets.
      if (ooe::logs::NginxLevelName(entry->level).empty()) std::abort();
      if (entry->upstream && ooe::logs::UpstreamFailureName(*entry->upstream).empty()) std::abort();
      // Only an error (or worse) is a failed request.
      if (entry->upstream && entry->level < ooe::logs::NginxLevel::kError) std::abort();
    }
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return 0;
}
