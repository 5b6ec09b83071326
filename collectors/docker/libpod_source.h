// Containers through Podman's libpod API: the libpod list and stats report (every container in
// one reply each) with the inspects that are due, then inspects only of the containers the list
// shows changed; inspects are kept across scrapes (inspect_cache.h). A proxy that refuses the
// libpod paths makes it step aside for the compatible source, for good.
#pragma once

#include <chrono>

#include "collectors/docker/container_source.h"
#include "collectors/docker/inspect_cache.h"
#include "collectors/docker/usage_reader.h"

namespace ooe::docker {

class LibpodSource final : public ContainerSource {
 public:
  LibpodSource(EngineApi& api, UsageReader& usage, const Selection& selection,
               std::chrono::milliseconds inspect_max_age, unsigned seed = std::random_device{}())
      : api_(api), usage_(usage), selection_(selection), cache_(inspect_max_age, seed) {}

  // nullopt with Refused() true when a proxy answered 403 or 404 to a libpod path.
  std::optional<Snapshot> Read(const ScrapeContext& context, Snapshot snapshot,
                               std::vector<Error>& errors) override;
  bool Refused() const { return refused_; }
  const InspectCache& Cache() const { return cache_; }

 private:
  struct Paths {
    std::string list;
    std::string report;
  };
  Paths LibpodPaths() const;
  // Puts the stats report's usage into the containers at `indexes` (running ones only: the
  // report lists stopped containers too, with zeros).
  void TakeReport(const Reply& reply, const std::vector<size_t>& indexes, Snapshot& snapshot,
                  std::vector<Error>& errors) const;
  // Which containers to inspect now: those whose kept inspect does not stand (due and read with
  // the list but not matching it, changed, new, or with a changed memory limit); the others get
  // their kept or just-read inspect.
  std::vector<size_t> ResolveInspects(Snapshot& snapshot, const std::vector<std::string>& due,
                                      const std::vector<Reply>& due_replies,
                                      Clock::time_point asked_at, size_t& kept);
  void TakeInspects(const std::vector<size_t>& changed, const std::vector<Reply>& replies,
                    Snapshot& snapshot, std::vector<Error>& errors);
  void RememberLimits(const Snapshot& snapshot);
  std::string InspectPath(const std::string& id) const {
    return api_.Prefix() + "/containers/" + id + "/json";
  }

  EngineApi& api_;
  UsageReader& usage_;
  const Selection& selection_;
  InspectCache cache_;
  bool refused_ = false;
};

}  // namespace ooe::docker
