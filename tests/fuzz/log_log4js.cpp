// Fuzz target: Document Server's log4js entries (collectors/logs/log4js.h), the input split into
// lines and grouped into entries as the log watch does, for docservice and the converter.
#include <cstdlib>
#include <numeric>
#include <string_view>

#include "collectors/documentserver/log_watch.h"

namespace {

void Count(std::string_view text, ooe::logs::Log4jsService service) {
  ooe::documentserver::EntryCounter counter(service);
  size_t heads = 0;
  std::string_view rest = text;
  while (!rest.empty()) {
    const auto end = rest.find('\n');
    const auto line = rest.substr(0, end);
    if (ooe::logs::ParseLog4jsHead(line, service)) ++heads;
    counter.Line(line);
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end + 1);
  }
  counter.Finish();
  const auto& counts = counter.Counts();
  // One entry per head line, counted once by level and once by cause (none included).
  const auto levels = std::accumulate(counts.levels.begin(), counts.levels.end(), uint64_t{0});
  const auto causes = std::accumulate(counts.causes.begin(), counts.causes.end(), uint64_t{0});
  if (levels != heads || causes != heads) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Count(text, ooe::logs::Log4jsService::kDocservice);
  Count(text, ooe::logs::Log4jsService::kConverter);
  return 0;
}
