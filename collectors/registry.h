// The one table of collector kinds: every kind that exists, in the order --help lists them.
// Each is defined beside its collector (collectors/<kind>/kind.cpp).
#pragma once

#include <string_view>
#include <vector>

#include "collectors/kind.h"

namespace ooe {

const std::vector<const CollectorKind*>& CollectorKinds();

// The kind named `name`, or null.
const CollectorKind* FindCollectorKind(std::string_view name);

}  // namespace ooe
