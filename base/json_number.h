// The one place that turns a JSON value into a metric value.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

namespace ooe {

// The number at `key` of `object`: integers, floats and booleans (as 0/1) count; a missing key,
// null, a string or any other type gives nullopt, so a missing field is left out rather than
// exported as 0.
std::optional<double> JsonNumber(const nlohmann::json& object, std::string_view key);

// The same for a value already found.
std::optional<double> JsonNumber(const nlohmann::json& value);

// The string at `key`, or nullopt.
std::optional<std::string> JsonString(const nlohmann::json& object, std::string_view key);

}  // namespace ooe
