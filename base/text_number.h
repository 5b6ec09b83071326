// The one place that turns a number written as text (Redis INFO, kernel files) into a metric
// value.
#pragma once

#include <optional>
#include <string_view>

namespace ooe {

// `text` as a finite number when all of it is one ("42", "0.5", "-3", "1e3"); nullopt for "",
// "12abc", " 1", "nan", "inf" or an out-of-range value, so garbage is never a silent 0.
std::optional<double> TextNumber(std::string_view text);

}  // namespace ooe
