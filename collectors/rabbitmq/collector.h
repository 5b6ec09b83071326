// RabbitMQ through its management API, named as the management-API exporters (kbudde's
// rabbitmq_exporter) name the same quantities; docs/metrics.md lists the mapping.
#pragma once

#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "base/metric_set.h"
#include "collectors/collector.h"
#include "collectors/rabbitmq/client.h"
#include "collectors/rabbitmq/parser.h"
#include "collectors/target.h"

namespace ooe::rabbitmq {

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

class RabbitmqCollector final : public Collector {
 public:
  RabbitmqCollector(Endpoint endpoint, QueueFilter filter, const TargetOptions& options);

  std::vector<Error> Collect(const ScrapeContext& context, MetricSet& metrics) override;
  const std::vector<VerdictSeries>& Verdicts() const override;
  std::string Describe() const override { return description_; }

 private:
  std::string description_;
  Client client_;
  QueueFilter filter_;
};

}  // namespace ooe::rabbitmq
