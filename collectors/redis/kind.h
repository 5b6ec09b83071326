// The redis collector kind: --redis.* flags, config keys, defaults.
#pragma once

#include "collectors/kind.h"

namespace ooe::redis {

const CollectorKind& Kind();

}  // namespace ooe::redis
