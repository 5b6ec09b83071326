// Containers of a Docker Engine or Podman service as cAdvisor names their metrics, plus state,
// health, restarts, exit code and OOM kills (docs/metrics.md lists the mapping).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "collectors/collector.h"
#include "collectors/config_node.h"
#include "collectors/docker/client.h"
#include "collectors/metric_set.h"

namespace ooe {

namespace docker {

// "com.example.tier" -> "container_label_com_example_tier", as cAdvisor names container labels.
std::string LabelName(std::string_view container_label);

// The samples of one snapshot: pure, so tests feed it captured replies. `now` is the unix time
// put on container_last_seen; `label_allowlist` the container labels copied into labels.
void BuildMetrics(const Snapshot& snapshot, const std::vector<std::string>& label_allowlist,
                  double now, MetricSet& metrics);

// The target --collector.docker uses alone: DOCKER_HOST (with DOCKER_TLS_VERIFY and
// DOCKER_CERT_PATH for tcp://, as the docker CLI reads them), else unix:///var/run/docker.sock.
YAML::Node DefaultTarget();

}  // namespace docker

std::unique_ptr<Collector> MakeDockerCollector(const ConfigNode& target);

}  // namespace ooe
