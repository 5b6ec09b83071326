// What every target has, whatever its kind, read by one parser: its name (the `target` label),
// its own timeout, the largest reply it reads, its tls_config, and the name filters some kinds
// take.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "base/config_node.h"
#include "base/deadline.h"
#include "collectors/tls_config.h"

namespace ooe {

// The keys every target takes besides its kind's own.
inline constexpr std::string_view kCommonTargetKeys[] = {"name", "timeout", "max_body_size",
                                                         "tls_config"};

// A kind's defaults for the common keys.
struct TargetDefaults {
  std::chrono::milliseconds timeout{0};
  size_t max_body_bytes = size_t{16} << 20;
};

struct TargetOptions {
  std::string name;  // the `target` label
  // Each request's own limit, inside the scrape's deadline (a probe that must not take the
  // whole scrape, such as /healthcheck behind a hung database); 0: the scrape's deadline alone.
  std::chrono::milliseconds timeout{0};
  size_t max_body_bytes = size_t{16} << 20;
  TlsConfig tls;
  bool tls_configured = false;  // a tls_config block was given (TLS asked for, even if empty)

  // The earlier of the scrape's deadline and `timeout` from now.
  Clock::time_point Deadline(Clock::time_point scrape_deadline) const;
};

// Reads the common keys of `target`; `default_name` is the label when it has no `name`. Throws
// ConfigError naming the key.
TargetOptions ParseTargetOptions(const ConfigNode& target, const TargetDefaults& defaults,
                                 const std::string& default_name);

// The regular expression at `key` (a whole-name match), or nullopt when the key is absent.
std::optional<std::regex> ParseRegex(const ConfigNode& target, std::string_view key);

}  // namespace ooe
