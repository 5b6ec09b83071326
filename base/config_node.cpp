#include "base/config_node.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

namespace ooe {

ConfigNode::ConfigNode(const YAML::Node& node, std::string origin, std::string path,
                       std::map<std::string, std::string> key_names)
    : node_(node),
      origin_(std::move(origin)),
      path_(std::move(path)),
      key_names_(std::move(key_names)) {
  if (node_ && !node_.IsNull() && !node_.IsMap()) {
    throw ConfigError(origin_, path_.empty() ? "(top level)" : path_, "must be a mapping");
  }
}

std::string ConfigNode::KeyName(std::string_view key) const {
  if (auto renamed = key_names_.find(std::string(key)); renamed != key_names_.end()) {
    return renamed->second;
  }
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

void ConfigNode::Fail(std::string_view key, const std::string& problem) const {
  throw ConfigError(origin_, KeyName(key), problem);
}

YAML::Node ConfigNode::Get(std::string_view key) const {
  if (!node_ || !node_.IsMap()) return YAML::Node();
  // A missing key gives yaml-cpp's invalid node, which throws InvalidNode on any question but
  // IsDefined() (a file without a `collectors:` section ended the exporter with terminate).
  auto value = node_[std::string(key)];
  return value.IsDefined() ? value : YAML::Node();
}

bool ConfigNode::Has(std::string_view key) const {
  const auto value = Get(key);
  return value && !value.IsNull();
}

std::string ConfigNode::String(std::string_view key, std::string_view fallback) const {
  const auto value = Get(key);
  if (!value || value.IsNull()) return std::string(fallback);
  if (!value.IsScalar()) Fail(key, "must be a string");
  return value.Scalar();
}

std::string ConfigNode::RequiredString(std::string_view key) const {
  if (!Has(key)) Fail(key, "is required");
  auto text = String(key, "");
  if (text.empty()) Fail(key, "must not be empty");
  return text;
}

bool ConfigNode::Bool(std::string_view key, bool fallback) const {
  const auto value = Get(key);
  if (!value || value.IsNull()) return fallback;
  const auto& text = value.IsScalar() ? value.Scalar() : std::string();
  if (text == "true" || text == "yes" || text == "on") return true;
  if (text == "false" || text == "no" || text == "off") return false;
  Fail(key, "must be true or false, not '" + text + "'");
}

long long ConfigNode::Integer(std::string_view key, long long fallback, long long min,
                              long long max) const {
  const auto text = String(key, "");
  if (text.empty()) return fallback;
  long long number = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (error != std::errc() || end != text.data() + text.size()) {
    Fail(key, "must be a whole number, not '" + text + "'");
  }
  if (number < min || number > max) {
    Fail(key, "must be between " + std::to_string(min) + " and " + std::to_string(max));
  }
  return number;
}

std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  // A bare number is seconds, as in X-Prometheus-Scrape-Timeout-Seconds.
  {
    double seconds = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (error == std::errc() && end == text.data() + text.size()) {
      if (!(seconds >= 0) || !std::isfinite(seconds)) return std::nullopt;
      return std::chrono::milliseconds(static_cast<long long>(std::llround(seconds * 1000)));
    }
  }
  double total_ms = 0;
  size_t position = 0;
  while (position < text.size()) {
    double number = 0;
    const auto [end, error] =
        std::from_chars(text.data() + position, text.data() + text.size(), number);
    if (error != std::errc() || number < 0) return std::nullopt;
    position = static_cast<size_t>(end - text.data());
    size_t unit_end = position;
    while (unit_end < text.size() && std::isalpha(static_cast<unsigned char>(text[unit_end]))) {
      ++unit_end;
    }
    const auto unit = text.substr(position, unit_end - position);
    if (unit == "ms") {
      total_ms += number;
    } else if (unit == "s") {
      total_ms += number * 1000;
    } else if (unit == "m") {
      total_ms += number * 60'000;
    } else if (unit == "h") {
      total_ms += number * 3'600'000;
    } else {
      return std::nullopt;
    }
    position = unit_end;
  }
  if (!std::isfinite(total_ms) || total_ms > 1e12) return std::nullopt;
  return std::chrono::milliseconds(static_cast<long long>(std::llround(total_ms)));
}

std::chrono::milliseconds ConfigNode::Duration(std::string_view key,
                                               std::chrono::milliseconds fallback) const {
  const auto text = String(key, "");
  if (text.empty()) return fallback;
  const auto parsed = ParseDuration(text);
  if (!parsed) Fail(key, "must be a duration like 10s, 500ms or 1m, not '" + text + "'");
  return *parsed;
}

size_t ConfigNode::Bytes(std::string_view key, size_t fallback) const {
  const auto text = String(key, "");
  if (text.empty()) return fallback;
  unsigned long long number = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  const std::string_view unit(end, static_cast<size_t>(text.data() + text.size() - end));
  unsigned long long multiplier = 0;
  if (unit.empty() || unit == "B") multiplier = 1;
  if (unit == "KiB") multiplier = 1ULL << 10;
  if (unit == "MiB") multiplier = 1ULL << 20;
  if (unit == "GiB") multiplier = 1ULL << 30;
  if (error != std::errc() || multiplier == 0 || number > (1ULL << 40) / multiplier) {
    Fail(key, "must be a size like 16MiB, 512KiB or 1000, not '" + text + "'");
  }
  return static_cast<size_t>(number * multiplier);
}

std::vector<std::string> ConfigNode::StringList(std::string_view key) const {
  const auto value = Get(key);
  std::vector<std::string> items;
  if (!value || value.IsNull()) return items;
  if (value.IsScalar()) {
    items.push_back(value.Scalar());
    return items;
  }
  if (!value.IsSequence()) Fail(key, "must be a list of strings");
  for (const auto& item : value) {
    if (!item.IsScalar()) Fail(key, "must be a list of strings");
    items.push_back(item.Scalar());
  }
  return items;
}

std::optional<std::string> ConfigNode::Secret(std::string_view key) const {
  const std::string file_key = std::string(key) + "_file";
  const std::string env_key = std::string(key) + "_env";
  if (Has(key)) {
    Fail(key, "secrets are not read from the configuration; use " + KeyName(file_key) + " or " +
                  KeyName(env_key));
  }
  if (Has(file_key)) {
    const auto path = String(file_key, "");
    std::ifstream file(path, std::ios::binary);
    if (!file) Fail(file_key, "cannot read '" + path + "'");
    std::ostringstream content;
    content << file.rdbuf();
    auto secret = std::move(content).str();
    while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
    if (secret.empty()) Fail(file_key, "'" + path + "' is empty");
    return secret;
  }
  if (Has(env_key)) {
    const auto name = String(env_key, "");
    const char* secret = std::getenv(name.c_str());
    if (secret == nullptr || *secret == '\0') {
      Fail(env_key, "environment variable " + name + " is not set");
    }
    return std::string(secret);
  }
  return std::nullopt;
}

void ConfigNode::ExpectOnly(std::initializer_list<std::string_view> known) const {
  ExpectOnly(std::vector<std::string_view>(known));
}

void ConfigNode::ExpectOnly(const std::vector<std::string_view>& known) const {
  if (!node_ || !node_.IsMap()) return;
  const std::set<std::string_view> allowed(known.begin(), known.end());
  for (const auto& entry : node_) {
    // as<std::string>() would throw YAML's exception, not a ConfigError, on a list as a key.
    if (!entry.first.IsScalar()) Fail("(key)", "must be a name, not a list or a mapping");
    const auto& key = entry.first.Scalar();
    if (allowed.contains(key)) continue;
    if (allowed.contains(key + "_file")) Secret(key);  // explains where secrets go instead
    Fail(key, "unknown key");
  }
}

ConfigNode ConfigNode::Child(std::string_view key) const {
  return ConfigNode(Get(key), origin_, KeyName(key));
}

}  // namespace ooe
