// What the pure parsers of the Engine API's JSON replies share: checked access to members of
// an nlohmann::json value (a missing or mistyped member is absent, never undefined behaviour).
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "base/parsed.h"

namespace ooe::docker {

// The member `key` of `object`, or null when `object` is no object or lacks it; nlohmann's
// operator[] on a const object would be undefined behaviour for a missing key.
const nlohmann::json* Member(const nlohmann::json& object, std::string_view key);
// The member, or a null value.
const nlohmann::json& MemberOrNull(const nlohmann::json& object, std::string_view key);
std::string StringOr(const nlohmann::json& object, std::string_view key, std::string fallback = {});
double NumberOr(const nlohmann::json& object, std::string_view key, double fallback);
// The string members of an object; the others are left out.
std::map<std::string, std::string> StringMap(const nlohmann::json& object);
// `body` parsed, when it is a JSON object; else a failure naming `what`.
Parsed<nlohmann::json> ParseObject(std::string_view body, std::string_view what);
// A whole number JSON value as an integer; nullopt for anything else (or out of range).
std::optional<long long> JsonInteger(const nlohmann::json& object, std::string_view key);

}  // namespace ooe::docker
