#include "base/json_number.h"

namespace ooe {

std::optional<double> JsonNumber(const nlohmann::json& value) {
  if (value.is_number_integer() && value.is_number_unsigned()) {
    return static_cast<double>(value.get<std::uint64_t>());
  }
  if (value.is_number_integer()) return static_cast<double>(value.get<std::int64_t>());
  if (value.is_number_float()) return value.get<double>();
  if (value.is_boolean()) return value.get<bool>() ? 1.0 : 0.0;
  return std::nullopt;
}

std::optional<double> JsonNumber(const nlohmann::json& object, std::string_view key) {
  if (!object.is_object()) return std::nullopt;
  const auto found = object.find(key);
  if (found == object.end()) return std::nullopt;
  return JsonNumber(*found);
}

std::optional<std::string> JsonString(const nlohmann::json& object, std::string_view key) {
  if (!object.is_object()) return std::nullopt;
  const auto found = object.find(key);
  if (found == object.end() || !found->is_string()) return std::nullopt;
  return found->get<std::string>();
}

}  // namespace ooe
