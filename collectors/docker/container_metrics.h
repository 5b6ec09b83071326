// The cAdvisor-named series of a snapshot (engine, state, spec, usage, processes, volumes).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/metric_set.h"
#include "collectors/docker/snapshot.h"

namespace ooe::docker {

// "com.example.tier" -> "container_label_com_example_tier", as cAdvisor names container labels.
std::string LabelName(std::string_view container_label);

// The samples of one snapshot: pure, so tests feed it captured replies. `now` is the unix time
// put on container_last_seen; `label_allowlist` the container labels copied into labels.
void BuildMetrics(const Snapshot& snapshot, const std::vector<std::string>& label_allowlist,
                  double now, MetricSet& metrics);

}  // namespace ooe::docker
