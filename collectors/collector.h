// The contract between the scrape orchestrator and every backend collector.
#pragma once

#include <prometheus/metric_family.h>

#include <memory>
#include <string>
#include <vector>

#include "base/deadline.h"
#include "base/error.h"
#include "base/metric_set.h"

namespace ooe {

// What one scrape hands to each collector: the moment by which its answer is useless.
struct ScrapeContext {
  Clock::time_point deadline;

  std::chrono::milliseconds Remaining() const { return ooe::Remaining(deadline); }
  bool Expired() const { return Clock::now() >= deadline; }
};

// A series that says whether the backend answered (`redis_up`, `pg_up`, Document Server's
// `healthcheck_up` for each `via`): the alerts are written on these, so every scrape carries
// them. The collector reports them; where it gave none (it missed the deadline, it threw), the
// orchestrator reports them at 0.
struct VerdictSeries {
  std::string name;
  std::string help;
  Labels labels;  // besides `target`
};

// One configured target of one backend kind. It never sees its kind or target label: the
// orchestrator puts `target` on every sample, times the call, turns the errors into
// onlyoffice_exporter_collector_success and logs them once when they change. Collect() is never
// called concurrently on the same object; Verdicts() and Describe() may be called meanwhile.
class Collector {
 public:
  virtual ~Collector() = default;
  // Adds this scrape's samples to `metrics` (a failed collection still adds the ones that say
  // so, such as `redis_up 0`) and returns what went wrong; none means success.
  virtual std::vector<Error> Collect(const ScrapeContext& context, MetricSet& metrics) = 0;
  // The verdict series this target always reports; fixed by its configuration.
  virtual const std::vector<VerdictSeries>& Verdicts() const = 0;
  // Where it reads from, for the landing page and logs; never carries a secret.
  virtual std::string Describe() const = 0;
};

// What one collection produced.
struct CollectResult {
  std::vector<prometheus::MetricFamily> families;
  std::vector<Error> errors;

  bool Ok() const { return errors.empty(); }
  std::string ErrorLine() const { return JoinErrors(errors); }
};

// A collector with the kind and target it was configured as: what the orchestrator runs.
struct TargetCollector {
  std::string kind;    // as in --collector.<kind>: "redis", "docker" ...
  std::string target;  // the `target` label
  std::shared_ptr<Collector> collector;

  // One collection: the collector's samples under the target label, its verdict series (at 0
  // where it gave none) and its errors; an exception becomes an error.
  CollectResult Collect(const ScrapeContext& context) const;
  // The verdict series at 0: what a collection that missed the deadline reports.
  std::vector<prometheus::MetricFamily> MissedVerdicts() const;
};

}  // namespace ooe
