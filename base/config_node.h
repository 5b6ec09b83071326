// Typed, checked access to one block of configuration (a YAML mapping or the equivalent
// single-target flags), whose errors name the file, the key and what is wrong.
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <initializer_list>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ooe {

// A configuration mistake. what() is the one line main prints before exiting with status 2:
// "<origin>: <key>: <problem>".
class ConfigError : public std::runtime_error {
 public:
  ConfigError(const std::string& origin, const std::string& key, const std::string& problem)
      : std::runtime_error(origin + ": " + key + ": " + problem) {}
};

class ConfigNode {
 public:
  // `origin` is the file name (or "command line"), `path` where the node sits in it
  // ("collectors.redis.targets[0]"). `key_names` renames keys in messages, so a node built from
  // flags reports "--redis.addr" rather than "address".
  ConfigNode(const YAML::Node& node, std::string origin, std::string path,
             std::map<std::string, std::string> key_names = {});

  bool Has(std::string_view key) const;
  std::string String(std::string_view key, std::string_view fallback) const;
  std::string RequiredString(std::string_view key) const;
  bool Bool(std::string_view key, bool fallback) const;
  long long Integer(std::string_view key, long long fallback, long long min, long long max) const;
  // "10s", "250ms", "1m30s" or a plain number of seconds.
  std::chrono::milliseconds Duration(std::string_view key,
                                     std::chrono::milliseconds fallback) const;
  // "16MiB", "512KiB", "1000" (bytes).
  size_t Bytes(std::string_view key, size_t fallback) const;
  std::vector<std::string> StringList(std::string_view key) const;

  // A secret never sits in the config itself: `<key>_file` names a file whose content (trailing
  // newline removed) is the secret, `<key>_env` an environment variable. A plain `<key>` is an
  // error. Absent both: nullopt.
  std::optional<std::string> Secret(std::string_view key) const;

  // Rejects keys not in `known` (typos would otherwise be silently ignored).
  void ExpectOnly(std::initializer_list<std::string_view> known) const;
  void ExpectOnly(const std::vector<std::string_view>& known) const;

  ConfigNode Child(std::string_view key) const;
  [[noreturn]] void Fail(std::string_view key, const std::string& problem) const;

  const YAML::Node& Yaml() const { return node_; }
  const std::string& Origin() const { return origin_; }
  const std::string& Path() const { return path_; }

 private:
  std::string KeyName(std::string_view key) const;
  YAML::Node Get(std::string_view key) const;

  YAML::Node node_;
  std::string origin_;
  std::string path_;
  std::map<std::string, std::string> key_names_;
};

// Parses "10s", "1m30s", "250ms", "1.5" (seconds); nullopt when malformed or negative.
std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text);

}  // namespace ooe
