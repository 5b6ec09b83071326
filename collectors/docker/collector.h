// Containers of a Docker Engine or Podman service as cAdvisor names their metrics, plus state,
// health, restarts, exit code and OOM kills (docs/metrics.md lists the mapping).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/metric_set.h"
#include "collectors/collector.h"
#include "collectors/docker/compatible_source.h"
#include "collectors/docker/container_metrics.h"
#include "collectors/docker/kernel_log_reader.h"
#include "collectors/docker/libpod_source.h"
#include "collectors/docker/process_reader.h"
#include "collectors/docker/snapshot.h"
#include "collectors/docker/usage_reader.h"
#include "collectors/docker/volume_reader.h"
#include "collectors/target.h"

namespace ooe::docker {

struct DockerSettings {
  Endpoint endpoint;
  Selection selection;
  std::vector<std::string> label_allowlist;
  // The longest an inspect reply is reused for (limits changed by `podman update` show
  // within it); 0 inspects every container every scrape. On Docker, also while no engine event
  // names the container (compatible_source.h).
  std::chrono::milliseconds inspect_max_age = std::chrono::seconds(60);
  // Set: running containers' usage is read from their cgroup files (the engine's stats only for
  // those whose files cannot be read); unset: from the engine's stats.
  std::optional<CgroupOptions> cgroups;
  // The engine host's kernel log (/dev/kmsg), where OOM kills are counted; empty: not read.
  std::string kernel_log;
  // With cgroups: the processes of running containers are read, grouped into at most this many
  // programs plus "other"; 0: not read.
  size_t max_programs = 10;
  // With cgroups: the space of the file systems mounted into running containers is read.
  bool read_volumes = true;
};

class DockerCollector final : public Collector {
 public:
  // `transport` replaces the HTTP one (tests feed recorded replies); null: the real one.
  DockerCollector(DockerSettings settings, const TargetOptions& options,
                  std::unique_ptr<EngineTransport> transport = nullptr);

  std::vector<Error> Collect(const ScrapeContext& context, MetricSet& metrics) override;
  const std::vector<VerdictSeries>& Verdicts() const override;
  std::string Describe() const override { return settings_.endpoint.host; }

 private:
  std::optional<Snapshot> Read(const ScrapeContext& context, std::vector<Error>& errors);

  DockerSettings settings_;
  EngineApi api_;
  UsageReader usage_;
  CompatibleSource compatible_;
  LibpodSource libpod_;
  std::unique_ptr<ProcessReader> processes_;
  std::unique_ptr<VolumeReader> volumes_;
  std::unique_ptr<KernelLogReader> kernel_log_;
};

}  // namespace ooe::docker
