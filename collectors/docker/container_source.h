// A container source reads, for one scrape, the engine's selected containers with their inspect
// and usage: one for the Docker-compatible API (compatible_source.h), one for Podman's libpod
// API (libpod_source.h). What both share is here: which containers are selected, and the list.
#pragma once

#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "base/error.h"
#include "collectors/collector.h"
#include "collectors/docker/engine_api.h"
#include "collectors/docker/snapshot.h"

namespace ooe::docker {

struct Selection {
  std::vector<std::string> label_filters;  // "key=value" or "key", ANDed by the engine
  std::optional<std::regex> name_regex;    // applied here to the name without '/'
  size_t max_containers = 300;

  // `path` with the label filters as the engine's filters parameter.
  std::string WithFilters(std::string path) const;
  // The listed containers that name_regex and max_containers let through, into `snapshot`.
  void Select(std::vector<ContainerSummary> list, Snapshot& snapshot) const;
};

class ContainerSource {
 public:
  virtual ~ContainerSource() = default;
  // The snapshot, or nullopt when the engine cannot be read at all; `errors` gets each request
  // that failed (a container removed since the list is not one).
  virtual std::optional<Snapshot> Read(const ScrapeContext& context, Snapshot snapshot,
                                       std::vector<Error>& errors) = 0;
};

// The container list in `reply`, or nullopt with `errors` told why; a failed list also makes
// `api` negotiate its version again (the engine may have been replaced).
std::optional<std::vector<ContainerSummary>> ReadList(EngineApi& api, const std::string& path,
                                                      const Reply& reply,
                                                      std::vector<Error>& errors);

}  // namespace ooe::docker
