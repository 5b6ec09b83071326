// The nginx collector kind: --nginx.* flags, config keys, defaults.
#pragma once

#include "collectors/kind.h"

namespace ooe::nginx {

const CollectorKind& Kind();

}  // namespace ooe::nginx
