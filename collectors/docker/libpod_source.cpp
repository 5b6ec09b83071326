#include "collectors/docker/libpod_source.h"

#include <map>
#include <set>

#include "base/log.h"
#include "collectors/docker/podman_stats.h"

namespace ooe::docker {
namespace {

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

bool IsRefusal(const Reply& reply) { return reply.status == 403 || reply.status == 404; }

}  // namespace

LibpodSource::Paths LibpodSource::LibpodPaths() const {
  // Podman's compatible list is the same list without the state facts that say whether a kept
  // inspect still holds, and costs Podman more; its compatible stats take one request per
  // container, each reading the cgroup and inspecting the container again.
  const std::string libpod = "/v" + api_.Version().version + "/libpod/containers";
  return {selection_.WithFilters(libpod + "/json?all=true"), libpod + "/stats?stream=false"};
}

void LibpodSource::TakeReport(const Reply& reply, const std::vector<size_t>& indexes,
                              Snapshot& snapshot, std::vector<Error>& errors) const {
  if (!reply.body) {
    errors.push_back(reply.error);  // the inspect data still stands
    return;
  }
  auto report = ParsePodmanStats(*reply.body);
  if (!report) {
    errors.push_back(api_.ParseError(LibpodPaths().report, report.error));
    return;
  }
  std::map<std::string, ContainerStats, std::less<>> by_id;
  for (auto& entry : *report.value) by_id.emplace(std::move(entry.id), std::move(entry.stats));
  for (const size_t i : indexes) {
    auto& reading = snapshot.containers[i];
    if (const auto found = by_id.find(reading.summary.id); found != by_id.end()) {
      reading.stats = std::move(found->second);
    }
  }
}

std::vector<size_t> LibpodSource::ResolveInspects(Snapshot& snapshot,
                                                  const std::vector<std::string>& due,
                                                  const std::vector<Reply>& due_replies,
                                                  Clock::time_point asked_at, size_t& kept) {
  std::map<std::string_view, const Reply*> due_reply;
  for (size_t d = 0; d < due.size(); ++d) due_reply.emplace(due[d], &due_replies[d]);
  const auto now = Clock::now();
  std::vector<size_t> changed;
  for (size_t i = 0; i < snapshot.containers.size(); ++i) {
    auto& reading = snapshot.containers[i];
    const auto& summary = reading.summary;
    const bool limit_changed =
        reading.stats && cache_.MemoryLimitChanged(summary.id, reading.stats->memory_limit);
    if (const auto found = due_reply.find(summary.id); found != due_reply.end()) {
      // Read with the list, so it may predate it: used only when it shows the listed state.
      if (const Reply& reply = *found->second; reply.body) {
        auto inspect = ParseInspect(*reply.body);
        if (inspect && !limit_changed && InspectMatchesList(*inspect.value, summary)) {
          cache_.Store(summary.id, *inspect.value, now);
          reading.inspect = std::move(*inspect.value);
          continue;
        }
      }
    } else if (!limit_changed) {
      // `asked_at`, when Due() was asked: one that fell due since is read at the next scrape.
      if (const auto* kept_inspect = cache_.Find(summary, asked_at)) {
        reading.inspect = *kept_inspect;
        ++kept;
        continue;
      }
    }
    changed.push_back(i);
  }
  return changed;
}

void LibpodSource::TakeInspects(const std::vector<size_t>& changed,
                                const std::vector<Reply>& replies, Snapshot& snapshot,
                                std::vector<Error>& errors) {
  std::vector<bool> vanished(snapshot.containers.size(), false);
  for (size_t c = 0; c < changed.size(); ++c) {
    auto& reading = snapshot.containers[changed[c]];
    const std::string& id = reading.summary.id;
    const Reply& reply = replies[c];
    if (reply.status == 404) {
      vanished[changed[c]] = true;  // removed since the list: not a failure
      continue;
    }
    if (!reply.body) {
      cache_.Forget(id);
      errors.push_back(reply.error);
      continue;
    }
    auto inspect = ParseInspect(*reply.body);
    if (!inspect) {
      cache_.Forget(id);
      errors.push_back(api_.ParseError(InspectPath(id), inspect.error));
      continue;
    }
    cache_.Store(id, *inspect.value, Clock::now());
    reading.inspect = std::move(*inspect.value);
  }
  RemoveVanished(snapshot, vanished);
}

void LibpodSource::RememberLimits(const Snapshot& snapshot) {
  std::set<std::string> listed;
  for (const auto& reading : snapshot.containers) {
    listed.insert(reading.summary.id);
    // Not for a running container whose usage could not be read: its last limit still stands.
    if (reading.stats || !HasUsage(reading.summary)) {
      cache_.SeeMemoryLimit(reading.summary.id,
                            reading.stats ? reading.stats->memory_limit : std::nullopt);
    }
  }
  cache_.Retain(listed);
}

std::optional<Snapshot> LibpodSource::Read(const ScrapeContext& context, Snapshot snapshot,
                                           std::vector<Error>& errors) {
  const auto start = Clock::now();
  const Paths paths = LibpodPaths();
  const bool read_info = api_.InfoDue();
  const auto due = cache_.Due(start);
  // The report goes with the list when the engine's stats are expected; else it is asked for
  // after the list, only when some container's cgroup files cannot be read.
  const bool report_with_list = usage_.EngineStatsExpected();
  std::vector<std::string> first = {paths.list};
  if (report_with_list) first.push_back(paths.report);
  const size_t info_index = first.size();
  if (read_info) first.push_back(api_.InfoPath());
  const size_t first_due = first.size();
  for (const auto& id : due) first.push_back(InspectPath(id));
  auto early_cgroups = usage_.StartEarlyReads();
  auto replies = api_.GetAll(first, context.deadline);
  const double first_round_seconds = SecondsSince(start);

  if (IsRefusal(replies[0]) || (report_with_list && IsRefusal(replies[1]))) {
    refused_ = true;
    return std::nullopt;
  }
  auto list = ReadList(api_, paths.list, replies[0], errors);
  if (!list) return std::nullopt;
  if (read_info) api_.TakeInfo(replies[info_index]);
  if (api_.Info()) snapshot.info = *api_.Info();
  selection_.Select(std::move(*list), snapshot);

  const auto without_usage = usage_.ReadCgroups(snapshot, early_cgroups);
  if (report_with_list) TakeReport(replies[1], without_usage, snapshot, errors);
  size_t kept = 0;
  const std::vector<Reply> due_replies(
      std::make_move_iterator(replies.begin() + static_cast<std::ptrdiff_t>(first_due)),
      std::make_move_iterator(replies.end()));
  const auto changed = ResolveInspects(snapshot, due, due_replies, start, kept);

  std::vector<std::string> second;
  second.reserve(changed.size() + 1);
  for (const size_t i : changed) second.push_back(InspectPath(snapshot.containers[i].summary.id));
  const bool late_report = !report_with_list && !without_usage.empty();
  if (late_report) second.push_back(paths.report);
  const auto second_start = Clock::now();
  const auto second_replies = api_.GetAll(second, context.deadline);
  if (late_report) TakeReport(second_replies.back(), without_usage, snapshot, errors);
  TakeInspects(changed, second_replies, snapshot, errors);
  RememberLimits(snapshot);
  Log(LogLevel::kDebug, "docker: libpod scrape",
      {{"host", api_.Host()},
       {"containers", std::to_string(snapshot.containers.size())},
       {"inspects_kept", std::to_string(kept)},
       {"inspects_due", std::to_string(due.size())},
       {"inspects_changed", std::to_string(changed.size())},
       {"usage_from_engine", std::to_string(without_usage.size())},
       {"first_round_seconds", std::to_string(first_round_seconds)},
       {"second_round_seconds", std::to_string(SecondsSince(second_start))}});
  usage_.ReadNetworks(snapshot);
  return snapshot;
}

}  // namespace ooe::docker
