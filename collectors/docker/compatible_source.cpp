#include "collectors/docker/compatible_source.h"

#include <charconv>

namespace ooe::docker {
namespace {

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

void CompatibleSource::Take(const std::string& path, const Reply& reply, bool is_stats,
                            ContainerReading& reading, bool& vanished,
                            std::vector<Error>& errors) const {
  if (reply.status == 404) {
    vanished = true;  // removed since the list: not a failure
    return;
  }
  if (!reply.body) {
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
      reading.inspect = std::move(*inspect.value);
    } else {
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
  const std::string list_path = selection_.WithFilters(api_.Prefix() + "/containers/json?all=1");
  auto list = ReadList(api_, list_path, api_.GetAll({list_path}, context.deadline).front(), errors);
  if (!list) return std::nullopt;
  selection_.Select(std::move(*list), snapshot);

  // Docker's list has nothing that tells when an inspect has changed (its Status says "Up 3
  // seconds"), so every container is inspected every scrape. The engine's stats go with the
  // inspects only when they are expected; else afterwards, for the containers whose cgroup files
  // could not be read.
  const bool stats_with_inspects = usage_.EngineStatsExpected();
  std::vector<std::string> paths;
  std::vector<std::pair<size_t, bool>> owners;  // container index, is stats
  for (size_t i = 0; i < snapshot.containers.size(); ++i) {
    const auto& summary = snapshot.containers[i].summary;
    paths.push_back(api_.Prefix() + "/containers/" + summary.id + "/json");
    owners.emplace_back(i, false);
    if (stats_with_inspects && HasUsage(summary)) {
      paths.push_back(StatsPath(snapshot, summary.id));
      owners.emplace_back(i, true);
    }
  }
  const bool read_info = api_.InfoDue();
  if (read_info) paths.push_back(api_.InfoPath());
  const auto replies = api_.GetAll(paths, context.deadline);
  if (read_info) api_.TakeInfo(replies.back());
  if (api_.Info()) snapshot.info = *api_.Info();

  std::vector<bool> vanished(snapshot.containers.size(), false);
  for (size_t r = 0; r < owners.size(); ++r) {
    const auto [index, is_stats] = owners[r];
    bool gone = false;
    Take(paths[r], replies[r], is_stats, snapshot.containers[index], gone, errors);
    if (gone) vanished[index] = true;
  }
  RemoveVanished(snapshot, vanished);

  auto stats_due = usage_.ReadCgroups(snapshot, early_cgroups);
  if (!stats_with_inspects && !stats_due.empty()) {
    ReadEngineStats(context, stats_due, snapshot, errors);
  }
  usage_.ReadNetworks(snapshot);
  return snapshot;
}

}  // namespace ooe::docker
