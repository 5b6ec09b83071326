#include "collectors/kind.h"

namespace ooe {

TargetCollector CollectorKind::Build(const ConfigNode& target) const {
  std::vector<std::string_view> known(std::begin(kCommonTargetKeys), std::end(kCommonTargetKeys));
  known.insert(known.end(), keys.begin(), keys.end());
  target.ExpectOnly(known);
  const auto options = ParseTargetOptions(target, defaults, default_name(target));
  return TargetCollector{std::string(name), options.name, make(target, options)};
}

}  // namespace ooe
