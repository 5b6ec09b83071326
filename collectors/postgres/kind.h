// The postgres collector kind: --postgres.* flags, config keys, defaults.
#pragma once

#include "collectors/kind.h"

namespace ooe::postgres {

const CollectorKind& Kind();

}  // namespace ooe::postgres
