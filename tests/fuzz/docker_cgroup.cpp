// Fuzz target: a container's kernel files (collectors/docker/cgroup_parser.h). The input is read
// as /proc/PID/cgroup (and each path it lists as a container's cgroup), as /proc/PID/net/dev,
// and as every cgroup v1 and v2 file at once.
#include <string>
#include <string_view>

#include "collectors/docker/cgroup_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ooe::docker;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (const auto cgroups = ParseProcessCgroups(text)) {
    for (const auto& hierarchy : cgroups->v1) (void)ContainerCgroupPath(hierarchy.path, "abc");
    if (cgroups->v2) (void)ContainerCgroupPath(*cgroups->v2, "abc");
  }
  (void)ParseNetDev(text);
  CgroupFiles v1;
  for (const auto name : kCgroupV1Files) v1.emplace(name, std::string(text));
  (void)ParseCgroupV1(v1, 100);
  CgroupFiles v2;
  for (const auto name : kCgroupV2Files) v2.emplace(name, std::string(text));
  (void)ParseCgroupV2(v2);
  return 0;
}
