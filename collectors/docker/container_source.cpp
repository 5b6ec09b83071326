#include "collectors/docker/container_source.h"

#include <nlohmann/json.hpp>

namespace ooe::docker {
namespace {}  // namespace

void RemoveVanished(Snapshot& snapshot, const std::vector<bool>& vanished) {
  std::vector<ContainerReading> kept;
  kept.reserve(snapshot.containers.size());
  for (size_t i = 0; i < snapshot.containers.size(); ++i) {
    if (!vanished[i]) kept.push_back(std::move(snapshot.containers[i]));
  }
  snapshot.containers = std::move(kept);
}

std::string Selection::WithFilters(std::string path) const {
  if (!label_filters.empty()) {
    nlohmann::json filters;
    filters["label"] = label_filters;
    path += "&filters=" + PercentEncode(filters.dump());
  }
  return path;
}

void Selection::Select(std::vector<ContainerSummary> list, Snapshot& snapshot) const {
  for (auto& summary : list) {
    if (name_regex && !std::regex_search(summary.name, *name_regex)) continue;
    if (snapshot.containers.size() >= max_containers) {
      ++snapshot.skipped;
      continue;
    }
    snapshot.containers.push_back(ContainerReading{std::move(summary), std::nullopt, std::nullopt});
  }
}

std::optional<std::vector<ContainerSummary>> ReadList(EngineApi& api, const std::string& path,
                                                      const Reply& reply,
                                                      std::vector<Error>& errors) {
  if (!reply.body) {
    api.ForgetVersion();
    errors.push_back(reply.error);
    return std::nullopt;
  }
  auto list = ParseContainerList(*reply.body);
  if (!list) {
    errors.push_back(api.ParseError(path, list.error));
    return std::nullopt;
  }
  return std::move(*list.value);
}

}  // namespace ooe::docker
