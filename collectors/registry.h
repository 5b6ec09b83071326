// The one table of collector kinds: what exists, what is on by default, how a target is built
// from its configuration, and the single-target flags each kind offers.
#pragma once

#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "collectors/collector.h"
#include "collectors/config_node.h"

namespace ooe {

// `--<flag> VALUE` sets `key` of the one target built from flags (as the peer exporters'
// single-target flags do, e.g. --redis.addr).
struct TargetFlag {
  std::string_view flag;
  std::string_view key;
  std::string_view help;
};

// An environment variable that, when set, fills `key` of the flag-built target with its own
// name (so `password_env` points at it): how secrets reach a single target without a file.
struct SecretEnv {
  std::string_view variable;
  std::string_view key;
};

struct CollectorKind {
  std::string_view name;
  std::string_view help;
  // On unless --no-collector.<name>; an enabled kind runs for each target configured.
  bool enabled_by_default;
  std::vector<TargetFlag> target_flags;
  std::vector<SecretEnv> secret_envs;
  // The target used when the kind is switched on explicitly (--collector.<name>, or
  // `enabled: true`) and no target is configured; null when the kind needs one named.
  std::function<YAML::Node()> default_target;
  // Builds one target's collector; throws ConfigError naming the key that is wrong. The target's
  // label value comes from its `name` key, or what the kind derives from its address.
  std::function<std::unique_ptr<Collector>(const ConfigNode& target)> make;
};

const std::vector<CollectorKind>& CollectorKinds();

}  // namespace ooe
