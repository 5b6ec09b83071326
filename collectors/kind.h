// A kind of collector, as it is defined beside its collector (collectors/<kind>/kind.cpp): its
// name and switch, the single-target flags and secret variables it offers, its own config keys,
// the defaults of the common ones, and how a target is built.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/config_node.h"
#include "collectors/collector.h"
#include "collectors/target.h"

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
  bool enabled_by_default = true;
  std::vector<TargetFlag> target_flags;
  std::vector<SecretEnv> secret_envs;
  // The config keys of its targets besides the common ones (collectors/target.h).
  std::vector<std::string_view> keys;
  TargetDefaults defaults;
  // The target used when the kind is switched on explicitly (--collector.<name>, or
  // `enabled: true`) and no target is configured.
  std::function<YAML::Node()> default_target;
  // The `target` label of a target without a `name`, from its address.
  std::function<std::string(const ConfigNode& target)> default_name;
  // Builds one target's collector from its own keys; `options` holds the common ones, already
  // read. Throws ConfigError naming the key that is wrong.
  std::function<std::unique_ptr<Collector>(const ConfigNode& target, const TargetOptions& options)>
      make;

  // Checks the keys, reads the common ones and builds the collector: what the config does
  // for each target of this kind.
  TargetCollector Build(const ConfigNode& target) const;
};

}  // namespace ooe
