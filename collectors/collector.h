// The contract between the scrape orchestrator and every backend collector.
#pragma once

#include <prometheus/metric_family.h>

#include <chrono>
#include <string>
#include <vector>

namespace ooe {

using Clock = std::chrono::steady_clock;

// What one scrape hands to each collector: the moment by which its answer is useless.
struct ScrapeContext {
  Clock::time_point deadline;

  // Time left until the deadline, never negative; what transports pass to
  // CURLOPT_TIMEOUT_MS or redisSetTimeout.
  std::chrono::milliseconds Remaining() const {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    return left.count() > 0 ? left : std::chrono::milliseconds(0);
  }
  bool Expired() const { return Clock::now() >= deadline; }
};

// A collector's answer. `error` empty means success; a failed collection still carries the
// metrics that say so (for example `redis_up 0`).
struct CollectResult {
  std::vector<prometheus::MetricFamily> families;
  std::string error;
};

// One configured target of one backend kind. The orchestrator times each call, turns `error`
// into onlyoffice_exporter_collector_success and logs it once when it changes; collectors never
// do that themselves. Collect() is never called concurrently on the same object.
class Collector {
 public:
  virtual ~Collector() = default;
  // The kind, as in --collector.<kind>: "redis", "rabbitmq", "docker", "documentserver".
  virtual const std::string& Kind() const = 0;
  // The value of the `target` label this collector puts on its metrics.
  virtual const std::string& Target() const = 0;
  // Where it reads from, for the landing page and logs; never carries a secret.
  virtual std::string Describe() const = 0;
  virtual CollectResult Collect(const ScrapeContext& context) = 0;
};

}  // namespace ooe
