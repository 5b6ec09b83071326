// What `docker stats` prints, computed as the Docker CLI computes it: what tests hold our
// readings against. The exporter exports neither (it exports the counters they come from).
#pragma once

#include <optional>
#include <string_view>

#include "collectors/docker/parser.h"

namespace ooe::test {

// MEM USAGE (the CLI's calculateMemUsageUnixNoCache): usage minus total_inactive_file (v1) or
// inactive_file (v2) when smaller than usage, else usage.
std::optional<double> CliMemoryUsageBytes(const docker::ContainerStats& stats);

// CPU % of a stats reply: (delta total_usage / delta system_cpu_usage) x online_cpus x 100, from
// cpu_stats and precpu_stats; nullopt when precpu is empty (one-shot) or the reply is no JSON.
std::optional<double> CliCpuPercent(std::string_view stats_reply);

}  // namespace ooe::test
