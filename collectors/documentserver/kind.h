// The documentserver collector kind: --documentserver.* flags, config keys, defaults.
#pragma once

#include "collectors/kind.h"

namespace ooe::documentserver {

const CollectorKind& Kind();

}  // namespace ooe::documentserver
