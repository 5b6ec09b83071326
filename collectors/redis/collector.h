// Redis INFO and CONFIG as redis_exporter names them (docs/metrics.md lists the mapping).
#pragma once

#include <string>
#include <vector>

#include "base/metric_set.h"
#include "collectors/collector.h"
#include "collectors/redis/client.h"
#include "collectors/redis/parser.h"
#include "collectors/target.h"

namespace ooe::redis {

// The samples of one successful read: pure, so tests feed it captured INFO text.
void BuildMetrics(const Info& info, const Snapshot& snapshot, MetricSet& metrics);

class RedisCollector final : public Collector {
 public:
  RedisCollector(Address address, Credentials credentials, const TargetOptions& options);

  std::vector<Error> Collect(const ScrapeContext& context, MetricSet& metrics) override;
  const std::vector<VerdictSeries>& Verdicts() const override;
  std::string Describe() const override { return description_; }

 private:
  std::string description_;
  TargetOptions options_;
  Client client_;
};

}  // namespace ooe::redis
