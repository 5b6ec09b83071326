// Fuzz target: kernel log records (collectors/docker/kernel_log.h), the input read as one
// /dev/kmsg record, as an OOM kill message and as a memory cgroup path, and counted.
#include <string_view>

#include "collectors/docker/kernel_log.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ooe::docker;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  OomTally tally;
  if (const auto record = ParseKernelRecord(text)) tally.Add(*record);
  if (const auto kill = ParseOomKill(text)) (void)ContainerIdOfCgroup(kill->task_memcg);
  (void)ContainerIdOfCgroup(text);
  return 0;
}
