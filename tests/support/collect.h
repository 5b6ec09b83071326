// A collector built as the config file builds it, and one collection run as the orchestrator
// runs it: what the collector tests drive.
#pragma once

#include <string>
#include <string_view>

#include "collectors/collector.h"

namespace ooe::test {

// The target of collector kind `kind` configured by the YAML mapping `yaml` (one entry of
// collectors.<kind>.targets). Throws ConfigError as the config would.
TargetCollector MakeTarget(std::string_view kind, const std::string& yaml);

// One collection by `deadline`: its samples under the target label, its verdict series (at 0
// where it gave none) and its errors.
CollectResult CollectOnce(const TargetCollector& target, Clock::time_point deadline);

}  // namespace ooe::test
