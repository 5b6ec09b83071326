#include "collectors/docker/compatible_source.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <map>

#include "base/log.h"

namespace ooe::docker {
namespace {

// Asked up to a moment that has already passed on the engine's clock, the events reply ends at
// once instead of waiting for it: the last moment is left to the next window.
// The clock offset errs towards an engine behind (engine_api.h), so this only covers its drift
// between two /info reads.
constexpr double kEventsLagSeconds = 0.05;
// Windows overlap by this much, so an event on a boundary is never lost when the engine's clock
// is read again between them (one seen twice only reads an inspect again).
constexpr double kEventsOverlapSeconds = 0.25;

// "1796295827.923385619": the form /events takes (seconds and nanoseconds).
std::string EventTime(double seconds) {
  std::array<char, 32> text{};
  std::snprintf(text.data(), text.size(), "%.9f", seconds);
  return text.data();
}

// One-shot stats (API 1.41+) wait for one sample instead of two.
bool OneShot(const std::string& api_version) {
  const auto dot = api_version.find('.');
  if (dot == std::string::npos) return false;
  int major = 0;
  int minor = 0;
  std::from_chars(api_version.data(), api_version.data() + dot, major);
  std::from_chars(api_version.data() + dot + 1, api_version.data() + api_version.size(), minor);
  return std::pair(major, minor) >= std::pair(1, 41);
}

}  // namespace

std::string CompatibleSource::StatsPath(const Snapshot& snapshot, const std::string& id) const {
  return api_.Prefix() + "/containers/" + id + "/stats?stream=false" +
         (OneShot(snapshot.api_version) ? "&one-shot=true" : "");
}

std::optional<std::string> CompatibleSource::EventsPath(double engine_now) const {
  if (!events_since_) return std::nullopt;
  const double until = engine_now - kEventsLagSeconds;
  const double since = std::min(*events_since_, until - kEventsOverlapSeconds);
  return api_.Prefix() + "/events?since=" + EventTime(since) + "&until=" + EventTime(until);
}

std::optional<std::set<std::string, std::less<>>> CompatibleSource::TakeEvents(
    const std::string& path, const Reply& reply) {
  std::string problem;
  if (!reply.body) {
    problem = reply.error.ToString();
    // A window the engine's clock has not reached yet makes the reply wait until it times out:
    // read its clock again.
    if (reply.status == 0) api_.ExpireInfo();
  } else if (auto events = ParseEvents(*reply.body); !events) {
    problem = api_.ParseError(path, events.error).ToString();
  } else if (events->count >= kEngineEventsKept) {
    return std::nullopt;  // busy, not broken: no line
  } else {
    events_failing_ = false;
    return std::move(events.value->containers);
  }
  // Not an error of the scrape (every inspect is read instead), but worth one line when it starts.
  if (!events_failing_) {
    Log(LogLevel::kInfo, "docker: cannot read the engine's events, every inspect is read again",
        {{"host", api_.Host()}, {"error", problem}});
  }
  events_failing_ = true;
  return std::nullopt;
}

void CompatibleSource::Take(const std::string& path, const Reply& reply, bool is_stats,
                            ContainerReading& reading, bool& vanished, std::vector<Error>& errors) {
  const std::string& id = reading.summary.id;
  if (reply.status == 404) {
    vanished = true;  // removed since the list: not a failure
    if (!is_stats) cache_.Forget(id);
    return;
  }
  if (!reply.body) {
    if (!is_stats) cache_.Forget(id);
    errors.push_back(reply.error);
  } else if (is_stats) {
    auto stats = ParseStats(*reply.body);
    if (stats) {
      reading.stats = std::move(*stats.value);
    } else {
      errors.push_back(api_.ParseError(path, stats.error));
    }
  } else {
    auto inspect = ParseInspect(*reply.body);
    if (inspect) {
      cache_.Store(id, *inspect.value, Clock::now());
      reading.inspect = std::move(*inspect.value);
    } else {
      cache_.Forget(id);
      errors.push_back(api_.ParseError(path, inspect.error));
    }
  }
}

void CompatibleSource::ReadEngineStats(const ScrapeContext& context,
                                       const std::vector<size_t>& indexes, Snapshot& snapshot,
                                       std::vector<Error>& errors) {
  std::vector<std::string> paths;
  paths.reserve(indexes.size());
  for (const size_t i : indexes)
    paths.push_back(StatsPath(snapshot, snapshot.containers[i].summary.id));
  const auto replies = api_.GetAll(paths, context.deadline);
  std::vector<bool> vanished(snapshot.containers.size(), false);
  for (size_t r = 0; r < paths.size(); ++r) {
    bool gone = false;
    Take(paths[r], replies[r], true, snapshot.containers[indexes[r]], gone, errors);
    vanished[indexes[r]] = gone;
  }
  RemoveVanished(snapshot, vanished);
}

std::optional<Snapshot> CompatibleSource::Read(const ScrapeContext& context, Snapshot snapshot,
                                               std::vector<Error>& errors) {
  auto early_cgroups = usage_.StartEarlyReads();
  const auto asked_at = Clock::now();
  const double asked_at_system = UnixNow();
  // Docker's list has nothing that tells whether an inspect still holds but the state (its
  // Status says "Up 3 seconds"), so the engine's events since the previous scrape say which
  // containers changed otherwise: a restart by policy, `docker update`, a health change.
  const std::string list_path = selection_.WithFilters(api_.Prefix() + "/containers/json?all=1");
  std::vector<std::string> first = {list_path};
  // Podman's compatible /events (4.3.1) takes no fraction of a second in `since` and, asked for
  // a window here, answered 1 of its 27 events: there every inspect is read each scrape.
  const auto offset = EventsClockOffset();
  const auto events_path = offset ? EventsPath(asked_at_system + *offset) : std::nullopt;
  if (events_path) first.push_back(*events_path);
  // With the list, the first requests: the engine's clock from it is then the nearest to true.
  const bool read_info = api_.InfoDue();
  const size_t info_index = first.size();
  if (read_info) first.push_back(api_.InfoPath());
  const size_t first_due = first.size();
  // Due by age or with a health check: read with the list, used where the list and the events
  // show no change since.
  const auto due = events_path ? cache_.Due(asked_at) : std::vector<std::string>();
  for (const auto& id : due) first.push_back(InspectPath(id));
  const auto replies = api_.GetAll(first, context.deadline);
  auto list = ReadList(api_, list_path, replies[0], errors);
  if (!list) return std::nullopt;
  selection_.Select(std::move(*list), snapshot);
  if (read_info) api_.TakeInfo(replies[info_index]);
  if (api_.Info()) snapshot.info = *api_.Info();
  const auto changed_by_events = events_path ? TakeEvents(*events_path, replies[1]) : std::nullopt;

  std::map<std::string_view, const Reply*> due_reply;
  for (size_t d = 0; d < due.size(); ++d) due_reply.emplace(due[d], &replies[first_due + d]);
  const bool stats_with_inspects = usage_.EngineStatsExpected();
  std::vector<std::string> paths;
  std::vector<std::pair<size_t, bool>> owners;  // container index, is stats
  std::set<std::string> listed;
  size_t kept = 0;
  size_t inspects_read = 0;
  for (size_t i = 0; i < snapshot.containers.size(); ++i) {
    auto& reading = snapshot.containers[i];
    const auto& summary = reading.summary;
    listed.insert(summary.id);
    const bool unchanged = changed_by_events && !changed_by_events->contains(summary.id);
    if (const auto found = due_reply.find(summary.id); found != due_reply.end()) {
      // Read with the list, after every event of the window, but it may predate the list: used
      // only when it shows the listed state.
      if (const Reply& reply = *found->second; reply.body) {
        auto inspect = ParseInspect(*reply.body);
        if (inspect && InspectMatchesDockerList(*inspect.value, summary)) {
          cache_.Store(summary.id, *inspect.value, Clock::now());
          reading.inspect = std::move(*inspect.value);
        }
      }
    } else if (unchanged) {
      if (const auto* kept_inspect = cache_.Find(summary, asked_at)) {
        reading.inspect = *kept_inspect;
        ++kept;
      }
    }
    if (!reading.inspect) {
      paths.push_back(InspectPath(summary.id));
      owners.emplace_back(i, false);
      ++inspects_read;
    }
    if (stats_with_inspects && HasUsage(summary)) {
      paths.push_back(StatsPath(snapshot, summary.id));
      owners.emplace_back(i, true);
    }
  }
  cache_.Retain(listed);
  const auto second = api_.GetAll(paths, context.deadline);
  // The next window starts where this scrape's reads did, on the engine's clock as now known.
  if (const auto now_offset = EventsClockOffset()) {
    events_since_ = asked_at_system + *now_offset - kEventsLagSeconds - kEventsOverlapSeconds;
  } else {
    events_since_.reset();
  }

  std::vector<bool> vanished(snapshot.containers.size(), false);
  for (size_t r = 0; r < owners.size(); ++r) {
    const auto [index, is_stats] = owners[r];
    bool gone = false;
    Take(paths[r], second[r], is_stats, snapshot.containers[index], gone, errors);
    if (gone) vanished[index] = true;
  }
  RemoveVanished(snapshot, vanished);
  Log(LogLevel::kDebug, "docker: compatible scrape",
      {{"host", api_.Host()},
       {"containers", std::to_string(snapshot.containers.size())},
       {"inspects_kept", std::to_string(kept)},
       {"inspects_due", std::to_string(due.size())},
       {"inspects_changed", std::to_string(inspects_read)},
       {"events", !events_path        ? "not asked"
                  : changed_by_events ? std::to_string(changed_by_events->size()) + " containers"
                                      : "not usable"}});

  auto stats_due = usage_.ReadCgroups(snapshot, early_cgroups);
  if (!stats_with_inspects && !stats_due.empty()) {
    ReadEngineStats(context, stats_due, snapshot, errors);
  }
  usage_.ReadNetworks(snapshot);
  return snapshot;
}

}  // namespace ooe::docker
