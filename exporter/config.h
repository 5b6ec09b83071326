// Flags, environment and the YAML config file, turned into what main runs.
#pragma once

#include <chrono>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/log.h"
#include "base/parsed.h"
#include "collectors/collector.h"
#include "exporter/web_config.h"

namespace ooe {

// Not 9981 (Document Server compose files publish nginx there), and outside 9100-9999, which the
// Prometheus default port allocations have used up.
inline constexpr const char* kDefaultListenAddress = ":10981";

struct ExporterOptions {
  std::string listen_address = kDefaultListenAddress;
  std::string telemetry_path = "/metrics";
  // civetweb's worker threads: each holds one connection, a slow client's too, from its accept;
  // scrapes are answered while fewer slow clients than these are connected. Prometheus' own
  // --web.max-connections, with its default.
  int max_connections = 512;
  std::string config_file;
  std::string web_config_file;
  WebConfig web_config;  // from --web.config.file: TLS and basic auth
  LogLevel log_level = LogLevel::kInfo;
  LogFormat log_format = LogFormat::kLogfmt;
  // Used when a scrape carries no X-Prometheus-Scrape-Timeout-Seconds (curl, a browser).
  std::chrono::milliseconds scrape_timeout{10'000};
  // Taken off Prometheus' scrape timeout so the answer arrives before Prometheus gives up.
  std::chrono::milliseconds timeout_offset{500};
  std::vector<TargetCollector> collectors;
};

enum class CommandLineAction { kRun, kExit };

using EnvironmentLookup = std::function<const char*(const char* name)>;

// Fills `options` from argv, the environment (ONLYOFFICE_EXPORTER_<FLAG>, e.g.
// ONLYOFFICE_EXPORTER_WEB_LISTEN_ADDRESS) and the config file. --help and --version print to
// `out` and return kExit. Throws ConfigError (one line naming the file or flag, the key and the
// problem) on anything wrong.
CommandLineAction ParseCommandLine(int argc, const char* const* argv,
                                   const EnvironmentLookup& environment, std::ostream& out,
                                   ExporterOptions& options);

// The config file's text applied as --config.file applies it, with no flags and no environment:
// the pure entry point of the config loader (fuzzed, and used by tests). `origin` names the file
// in the error, which is the line main would print.
Parsed<ExporterOptions> ParseConfigText(std::string_view yaml, const std::string& origin);

// The environment variable that stands for `flag` ("web.listen-address" ->
// "ONLYOFFICE_EXPORTER_WEB_LISTEN_ADDRESS").
std::string EnvironmentName(std::string_view flag);

}  // namespace ooe
