#include "collectors/docker/inspect_cache.h"

#include <cmath>

namespace ooe::docker {
namespace {

using std::chrono::milliseconds;

std::optional<long long> WholeNumber(std::optional<double> value) {
  if (!value || *value != std::trunc(*value) || std::fabs(*value) > 9.0e15) return std::nullopt;
  return static_cast<long long>(*value);
}

}  // namespace

bool InspectMatchesList(const ContainerInspect& inspect, const ContainerSummary& summary) {
  // A libpod "stopped" container is "exited" in the compatible inspect: no match, so it is
  // inspected every scrape (correct, only slower) rather than matched by a guessed mapping.
  return inspect.status == summary.state && inspect.health_status == summary.status &&
         inspect.started_at_unix == summary.started_at &&
         inspect.finished_at_unix == summary.exited_at &&
         WholeNumber(inspect.exit_code) == summary.exit_code && inspect.pid == summary.pid;
}

bool InspectMatchesDockerList(const ContainerInspect& inspect, const ContainerSummary& summary) {
  return inspect.status == summary.state;
}

InspectCache::InspectCache(std::chrono::milliseconds max_age, unsigned seed, Matcher matches)
    : max_age_(max_age), matches_(matches), random_(seed) {}

std::vector<std::string> InspectCache::Due(Clock::time_point now) const {
  std::vector<std::string> due;
  for (const auto& [id, entry] : entries_) {
    if (now >= entry.refresh_at || !entry.inspect.health_status.empty()) due.push_back(id);
  }
  return due;
}

const ContainerInspect* InspectCache::Find(const ContainerSummary& summary,
                                           Clock::time_point now) const {
  const auto found = entries_.find(summary.id);
  if (found == entries_.end()) return nullptr;
  const Entry& entry = found->second;
  if (now >= entry.refresh_at || !entry.inspect.health_status.empty()) return nullptr;
  if (!matches_(entry.inspect, summary)) return nullptr;
  return &entry.inspect;
}

bool InspectCache::MemoryLimitChanged(const std::string& id,
                                      std::optional<double> memory_limit) const {
  const auto found = entries_.find(id);
  if (found == entries_.end() || !memory_limit || !found->second.memory_limit) return false;
  return *memory_limit != *found->second.memory_limit;
}

void InspectCache::Store(const std::string& id, const ContainerInspect& inspect,
                         Clock::time_point now) {
  auto [found, inserted] = entries_.try_emplace(id);
  Entry& entry = found->second;
  entry.inspect = inspect;
  if (max_age_.count() <= 0) {
    entry.refresh_at = now;
  } else if (inserted) {
    std::uniform_int_distribution<long long> spread(1, max_age_.count());
    entry.refresh_at = now + milliseconds(spread(random_));
  } else if (entry.refresh_at <= now) {
    // The container keeps its own phase: refreshed at the first scrape after each multiple of
    // max_age, so containers read at one scrape do not all fall due again at one later scrape
    // (with irregular scrape intervals they would gather there, up to all of them at once).
    const auto behind = std::chrono::duration_cast<milliseconds>(now - entry.refresh_at);
    entry.refresh_at += (behind / max_age_ + 1) * max_age_;
  }
  // Otherwise (read again because the list showed a change) the next refresh stays as it was.
}

void InspectCache::SeeMemoryLimit(const std::string& id, std::optional<double> memory_limit) {
  if (const auto found = entries_.find(id); found != entries_.end()) {
    found->second.memory_limit = memory_limit;
  }
}

void InspectCache::Retain(const std::set<std::string>& listed) {
  for (auto it = entries_.begin(); it != entries_.end();) {
    it = listed.count(it->first) ? std::next(it) : entries_.erase(it);
  }
}

}  // namespace ooe::docker
