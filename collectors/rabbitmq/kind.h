// The rabbitmq collector kind: --rabbitmq.* flags, config keys, defaults.
#pragma once

#include "collectors/kind.h"

namespace ooe::rabbitmq {

const CollectorKind& Kind();

}  // namespace ooe::rabbitmq
