// The docker collector kind: --docker.* flags, config keys, defaults.
#pragma once

#include "collectors/kind.h"

namespace ooe::docker {

const CollectorKind& Kind();

// The target --collector.docker uses alone: DOCKER_HOST (with DOCKER_TLS_VERIFY and
// DOCKER_CERT_PATH for tcp://, as the docker CLI reads them), else unix:///var/run/docker.sock.
YAML::Node DefaultTarget();

}  // namespace ooe::docker
