// Containers through the Docker-compatible API (Docker, and Podman behind a proxy that allows
// only the Docker paths): the list, the engine's events since the previous scrape, the inspects
// that no longer hold, and the engine's stats for the containers whose usage the cgroup files
// cannot give. Inspects are kept across scrapes (inspect_cache.h) while the list shows the same
// state and no event names the container.
#pragma once

#include <chrono>
#include <optional>
#include <random>
#include <set>
#include <string>

#include "collectors/docker/container_source.h"
#include "collectors/docker/inspect_cache.h"
#include "collectors/docker/usage_reader.h"

namespace ooe::docker {

class CompatibleSource final : public ContainerSource {
 public:
  // Docker keeps its last 256 events: a window with as many may have lost some.
  static constexpr size_t kEngineEventsKept = 256;

  CompatibleSource(EngineApi& api, UsageReader& usage, const Selection& selection,
                   std::chrono::milliseconds inspect_max_age,
                   unsigned seed = std::random_device{}())
      : api_(api),
        usage_(usage),
        selection_(selection),
        cache_(inspect_max_age, seed, InspectMatchesDockerList) {}

  std::optional<Snapshot> Read(const ScrapeContext& context, Snapshot snapshot,
                               std::vector<Error>& errors) override;

 private:
  std::string StatsPath(const Snapshot& snapshot, const std::string& id) const;
  std::string InspectPath(const std::string& id) const {
    return api_.Prefix() + "/containers/" + id + "/json";
  }
  // The events since the previous scrape, up to about now on the engine's clock; nullopt when
  // there is no window to ask for (the first scrape, the engine's clock unknown, or after a
  // failure): then every inspect is read again.
  std::optional<std::string> EventsPath(double engine_now) const;
  // The engine's clock offset where its events are used (Docker's own), else nullopt.
  std::optional<double> EventsClockOffset() const {
    return api_.Version().engine == "docker" ? api_.ClockOffset() : std::nullopt;
  }
  // The containers the events name; nullopt when the window may have missed some (the request
  // failed, or the engine may have dropped events), so no kept inspect can be trusted.
  std::optional<std::set<std::string, std::less<>>> TakeEvents(const std::string& path,
                                                               const Reply& reply);
  // Puts a reply of an inspect or stats request into its container; a 404 marks it vanished.
  void Take(const std::string& path, const Reply& reply, bool is_stats, ContainerReading& reading,
            bool& vanished, std::vector<Error>& errors);
  // Asks the engine's stats of the containers at `indexes` (all in flight at once: each waits for
  // the engine's sampling tick) and puts them in.
  void ReadEngineStats(const ScrapeContext& context, const std::vector<size_t>& indexes,
                       Snapshot& snapshot, std::vector<Error>& errors);

  EngineApi& api_;
  UsageReader& usage_;
  const Selection& selection_;
  InspectCache cache_;
  // Where the next events window starts, on the engine's clock (unix seconds).
  std::optional<double> events_since_;
  bool events_failing_ = false;  // logged once when it starts
};

}  // namespace ooe::docker
