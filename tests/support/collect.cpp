#include "tests/support/collect.h"

#include <stdexcept>

#include "collectors/registry.h"

namespace ooe::test {

TargetCollector MakeTarget(std::string_view kind, const std::string& yaml) {
  const CollectorKind* found = FindCollectorKind(kind);
  if (found == nullptr) throw std::invalid_argument("no collector kind " + std::string(kind));
  return found->Build(ConfigNode(YAML::Load(yaml), "test.yml", "target"));
}

CollectResult CollectOnce(const TargetCollector& target, Clock::time_point deadline) {
  return target.Collect(ScrapeContext{deadline});
}

}  // namespace ooe::test
