// Containers through the Docker-compatible API (Docker, and Podman behind a proxy that allows
// only the Docker paths): the list, then every container's inspect, and the engine's stats for
// the containers whose usage the cgroup files cannot give.
#pragma once

#include "collectors/docker/container_source.h"
#include "collectors/docker/usage_reader.h"

namespace ooe::docker {

class CompatibleSource final : public ContainerSource {
 public:
  CompatibleSource(EngineApi& api, UsageReader& usage, const Selection& selection)
      : api_(api), usage_(usage), selection_(selection) {}

  std::optional<Snapshot> Read(const ScrapeContext& context, Snapshot snapshot,
                               std::vector<Error>& errors) override;

 private:
  std::string StatsPath(const Snapshot& snapshot, const std::string& id) const;
  // Puts a reply of an inspect or stats request into its container; a 404 marks it vanished.
  void Take(const std::string& path, const Reply& reply, bool is_stats, ContainerReading& reading,
            bool& vanished, std::vector<Error>& errors) const;
  // Asks the engine's stats of the containers at `indexes` (all in flight at once: each waits for
  // the engine's sampling tick) and puts them in.
  void ReadEngineStats(const ScrapeContext& context, const std::vector<size_t>& indexes,
                       Snapshot& snapshot, std::vector<Error>& errors);

  EngineApi& api_;
  UsageReader& usage_;
  const Selection& selection_;
};

}  // namespace ooe::docker
