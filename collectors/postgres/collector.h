// PostgreSQL as postgres_exporter names it, and Document Server's own state in its database:
// the save backlog in doc_changes and documents by status in task_result (docs/metrics.md).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/metric_set.h"
#include "collectors/collector.h"
#include "collectors/postgres/client.h"
#include "collectors/postgres/parser.h"
#include "collectors/target.h"

namespace ooe::postgres {

// The samples of each successful read: pure, so tests feed them captured COPY output.
void BuildServerMetrics(const ServerState& state, MetricSet& metrics);
void BuildActivityMetrics(const std::vector<ActivitySample>& activity, MetricSet& metrics);
void BuildDatabaseMetrics(const std::vector<DatabaseStats>& databases, MetricSet& metrics);
void BuildLockMetrics(const std::vector<LockSample>& locks, MetricSet& metrics);
void BuildSaveBacklogMetrics(const SaveBacklog& backlog, MetricSet& metrics);
// Every FileStatus DocService defines gets a sample (0 when no document has it).
void BuildDocumentStatusMetrics(const std::vector<StatusCount>& statuses, MetricSet& metrics);

class PostgresCollector final : public Collector {
 public:
  PostgresCollector(ConnectionSettings settings, std::optional<std::string> password,
                    const TargetOptions& options);

  std::vector<Error> Collect(const ScrapeContext& context, MetricSet& metrics) override;
  const std::vector<VerdictSeries>& Verdicts() const override;
  std::string Describe() const override { return description_; }

 private:
  // Runs one query and hands its parsed rows to `build`; a failure joins `errors`.
  template <typename Parse, typename Build>
  void Read(const ScrapeContext& context, std::string_view query, std::string_view what,
            Parse parse, Build build, std::vector<Error>& errors);

  std::string description_;
  TargetOptions options_;
  Client client_;
};

}  // namespace ooe::postgres
