#include "collectors/docker/collector.h"

#include <chrono>
#include <cstdlib>
#include <set>

namespace ooe::docker {

const std::vector<VerdictSeries>& DockerCollector::Verdicts() const {
  static const std::vector<VerdictSeries> kVerdicts = {
      {"container_engine_up", "1 when the engine answered its version and container list.", {}}};
  return kVerdicts;
}

DockerCollector::DockerCollector(DockerSettings settings, const TargetOptions& options,
                                 std::unique_ptr<EngineTransport> transport)
    : settings_(std::move(settings)),
      api_(settings_.endpoint, transport ? std::move(transport)
                                         : std::make_unique<HttpEngineTransport>(
                                               settings_.endpoint, options.tls,
                                               options.max_body_bytes, options.timeout)),
      usage_(settings_.cgroups, settings_.endpoint.host),
      compatible_(api_, usage_, settings_.selection, settings_.inspect_max_age),
      libpod_(api_, usage_, settings_.selection, settings_.inspect_max_age) {
  if (settings_.cgroups && settings_.max_programs > 0) {
    processes_ = std::make_unique<ProcessReader>(*settings_.cgroups, settings_.max_programs);
  }
  if (settings_.cgroups && settings_.read_volumes) {
    volumes_ = std::make_unique<VolumeReader>(settings_.cgroups->proc_root);
  }
  if (!settings_.kernel_log.empty()) {
    kernel_log_ = std::make_unique<KernelLogReader>(settings_.kernel_log, settings_.endpoint.host);
  }
}

std::optional<Snapshot> DockerCollector::Read(const ScrapeContext& context,
                                              std::vector<Error>& errors) {
  if (auto error = api_.Negotiate(context.deadline)) {
    errors.push_back(std::move(*error));
    return std::nullopt;
  }
  Snapshot snapshot;
  snapshot.version = api_.Version();
  snapshot.api_version = api_.ApiVersion();
  if (!libpod_.Refused() && snapshot.version.engine == "podman" &&
      !snapshot.version.version.empty()) {
    auto read = libpod_.Read(context, snapshot, errors);
    // A socket proxy that allows only the Docker paths: the compatible requests from now on,
    // starting with this scrape.
    if (!libpod_.Refused()) return read;
  }
  return compatible_.Read(context, std::move(snapshot), errors);
}

std::vector<Error> DockerCollector::Collect(const ScrapeContext& context, MetricSet& metrics) {
  std::vector<Error> errors;
  // Read on a second thread while the engine answers, as the usage from cgroup files is.
  auto early_processes =
      processes_ ? processes_->StartEarlyReads() : std::future<EarlyProcessReads>();
  auto snapshot = Read(context, errors);
  metrics.Gauge(Verdicts()[0].name, Verdicts()[0].help, snapshot ? 1.0 : 0.0);
  if (processes_) {
    if (snapshot) {
      processes_->Read(*snapshot, early_processes);
    } else if (early_processes.valid()) {
      early_processes.wait();
    }
  }
  if (snapshot && volumes_) volumes_->Read(*snapshot);
  if (snapshot && kernel_log_ && kernel_log_->Read()) {
    std::set<std::string, std::less<>> listed;
    for (auto& reading : snapshot->containers) {
      reading.oom_events = kernel_log_->Tally().Kills(reading.summary.id);
      listed.insert(reading.summary.id);
    }
    kernel_log_->Tally().Prune([&](std::string_view id) { return listed.contains(id); });
  }
  if (snapshot) {
    BuildMetrics(*snapshot, settings_.label_allowlist, UnixNow(), metrics);
  }
  return errors;
}

}  // namespace ooe::docker
