#include "collectors/docker/json_reply.h"

#include <cmath>

#include "base/json_number.h"

namespace ooe::docker {

using nlohmann::json;

const json* Member(const json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  const auto found = object.find(key);
  return found == object.end() ? nullptr : &*found;
}

const json& MemberOrNull(const json& object, std::string_view key) {
  static const json kNull;
  const json* member = Member(object, key);
  return member != nullptr ? *member : kNull;
}

std::string StringOr(const json& object, std::string_view key, std::string fallback) {
  auto value = JsonString(object, key);
  return value ? std::move(*value) : std::move(fallback);
}

double NumberOr(const json& object, std::string_view key, double fallback) {
  return JsonNumber(object, key).value_or(fallback);
}

std::map<std::string, std::string> StringMap(const json& object) {
  std::map<std::string, std::string> result;
  if (!object.is_object()) return result;
  for (const auto& [key, value] : object.items()) {
    if (value.is_string()) result.emplace(key, value.get<std::string>());
  }
  return result;
}

Parsed<json> ParseObject(std::string_view body, std::string_view what) {
  json document = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) {
    return Parsed<json>::Failure(std::string(what) + " is not valid JSON (" +
                                 std::to_string(body.size()) + " bytes)");
  }
  if (!document.is_object()) {
    return Parsed<json>::Failure(std::string(what) + " is not a JSON object");
  }
  return Success(std::move(document));
}

std::optional<long long> JsonInteger(const json& object, std::string_view key) {
  const auto value = JsonNumber(object, key);
  if (!value || *value != std::trunc(*value) || std::fabs(*value) > 9.0e15) return std::nullopt;
  return static_cast<long long>(*value);
}

}  // namespace ooe::docker
