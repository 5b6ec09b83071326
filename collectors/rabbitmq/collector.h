// RabbitMQ through its management API, named as the management-API exporters (kbudde's
// rabbitmq_exporter) name the same quantities; docs/metrics.md lists the mapping.
#pragma once

#include <memory>
#include <regex>

#include "collectors/collector.h"
#include "collectors/config_node.h"
#include "collectors/metric_set.h"
#include "collectors/rabbitmq/parser.h"

namespace ooe {

namespace rabbitmq {

struct QueueFilter {
  std::optional<std::regex> include;  // only queues whose name matches (whole name)
  std::optional<std::regex> exclude;  // minus these
  // Every docservice creates an exclusive, server-named queue (amq.gen-...) bound to the
  // ds.pubsub fanout: such queues are counted per vhost, not exported one by one, unless this
  // is set (their names change with every docservice restart).
  bool export_server_named = false;
  size_t max_queues = 5000;
};

// The samples of one successful read: pure, so tests feed it captured replies.
void BuildMetrics(const Overview& overview, const std::vector<NodeSample>& nodes,
                  const std::vector<QueueSample>& queues, const QueueFilter& filter,
                  MetricSet& metrics);

}  // namespace rabbitmq

std::unique_ptr<Collector> MakeRabbitmqCollector(const ConfigNode& target);

}  // namespace ooe
