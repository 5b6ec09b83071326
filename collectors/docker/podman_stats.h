// Pure parser of Podman's libpod stats report (GET /vX/libpod/containers/stats?stream=false):
// every running container's stats in one reply, where the Docker-compatible endpoint needs one
// request per container.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/parsed.h"
#include "collectors/docker/parser.h"

namespace ooe::docker {

struct PodmanContainerStats {
  std::string id;
  ContainerStats stats;
};

// The libpod report as the compatible endpoint's ContainerStats. Podman 4.x builds its
// compatible stats from these same numbers (CPUNano, CPUSystemNano, MemUsage, MemLimit, PIDs,
// NetInput/NetOutput) and sends zeros for CFS throttling and no memory breakdown; here what
// Podman does not measure is left out instead of exported as 0.
Parsed<std::vector<PodmanContainerStats>> ParsePodmanStats(std::string_view body);

}  // namespace ooe::docker
