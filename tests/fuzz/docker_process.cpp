// Fuzz target: a container's /proc files (collectors/docker/process_parser.h). The input is read
// as cgroup.procs, /proc/PID/stat, /proc/PID/limits and /proc/stat, and what parses is grouped.
#include <string_view>

#include "collectors/docker/process_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ooe::docker;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)ParseProcessList(text);
  (void)ParseOpenFilesSoftLimit(text);
  (void)ParseBootTime(text);
  if (auto stat = ParseProcessStat(text)) {
    ProcessTally tally;
    ProcessSample sample{1, *stat.value, 3, 1024};
    (void)tally.Update({sample, sample}, HostClock{}, 1);
  }
  return 0;
}
