// Inspect replies kept across scrapes on Podman, where the libpod list says when one no longer
// describes its container; pure (the caller passes the time), so tests drive it with real replies.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/collector.h"
#include "collectors/docker/parser.h"

namespace ooe::docker {

// True when `inspect` was taken in the state the libpod list entry `summary` shows: same status,
// health status, start and exit times (whole seconds), exit code and process id. A restart (by
// policy or by hand), an exit, a kill and a health change all change one of them.
bool InspectMatchesList(const ContainerInspect& inspect, const ContainerSummary& summary);

// The same for Docker's list, which has only the state ("running", "exited" ...): what changes
// without it (a restart by policy, `docker update`) is told by the engine's events instead.
bool InspectMatchesDockerList(const ContainerInspect& inspect, const ContainerSummary& summary);

class InspectCache {
 public:
  using Matcher = bool (*)(const ContainerInspect&, const ContainerSummary&);

  // `max_age`: no kept inspect is used once it is older (0: every scrape inspects everything).
  // `matches`: whether a kept inspect shows the state a list entry shows.
  explicit InspectCache(std::chrono::milliseconds max_age, unsigned seed = std::random_device{}(),
                        Matcher matches = InspectMatchesList);

  // Ids to inspect again in this scrape whatever the list says: older than the maximum age, or
  // with a health check (FailingStreak grows while the status stays the same, and is only in
  // inspect).
  std::vector<std::string> Due(Clock::time_point now) const;

  // The kept inspect of the listed container if it may stand for a new one: not due and taken
  // in the state the list shows.
  const ContainerInspect* Find(const ContainerSummary& summary, Clock::time_point now) const;

  // True when the stats report's memory limit of `id` (running containers only) differs from
  // the previous scrape's: `podman update` changed the limits, and an inspect read before this
  // report may predate that.
  bool MemoryLimitChanged(const std::string& id, std::optional<double> memory_limit) const;

  // Keeps a new inspect of `id`, read at `now`. A container seen for the first time is due
  // again after a random part of max_age, so the refreshes of containers started together
  // spread over the scrapes; later it is due every max_age from then on, never later than
  // max_age after its inspect was read.
  void Store(const std::string& id, const ContainerInspect& inspect, Clock::time_point now);

  // Remembers the memory limit the stats report gave `id` in this scrape (nullopt: none).
  void SeeMemoryLimit(const std::string& id, std::optional<double> memory_limit);

  // Forgets every id not in `listed` (removed containers, or no longer selected).
  void Retain(const std::set<std::string>& listed);
  void Forget(std::string_view id) {
    if (const auto found = entries_.find(id); found != entries_.end()) entries_.erase(found);
  }

  size_t Size() const { return entries_.size(); }
  std::chrono::milliseconds MaxAge() const { return max_age_; }

 private:
  struct Entry {
    ContainerInspect inspect;
    Clock::time_point refresh_at;
    std::optional<double> memory_limit;  // from the stats report of the last scrape
  };

  std::chrono::milliseconds max_age_;
  Matcher matches_;
  std::map<std::string, Entry, std::less<>> entries_;
  std::minstd_rand random_;
};

}  // namespace ooe::docker
