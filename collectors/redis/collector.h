// Redis INFO and CONFIG as redis_exporter names them (docs/metrics.md lists the mapping).
#pragma once

#include <memory>

#include "collectors/collector.h"
#include "collectors/config_node.h"
#include "collectors/metric_set.h"
#include "collectors/redis/client.h"
#include "collectors/redis/parser.h"

namespace ooe {

namespace redis {
// The samples of one successful read: pure, so tests feed it captured INFO text.
void BuildMetrics(const Info& info, const Snapshot& snapshot, MetricSet& metrics);
}  // namespace redis

std::unique_ptr<Collector> MakeRedisCollector(const ConfigNode& target);

}  // namespace ooe
