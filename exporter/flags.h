// The command line and its environment: every flag (the exporter's own, and each collector
// kind's switch and single-target flags), --help, and the values read with where they came from.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace ooe {

inline constexpr const char* kCommandLine = "command line";

struct FlagSpec {
  std::string name;
  std::string help;
  std::string default_value;  // shown in --help
  bool is_bool = false;
};

// A flag's value and where it came from, for error messages.
struct FlagValue {
  std::string value;
  std::string source;  // "--redis.addr" or "ONLYOFFICE_EXPORTER_REDIS_ADDR"
};

using FlagValues = std::map<std::string, FlagValue>;

// The exporter's flags, then each collector kind's switch and single-target flags.
std::vector<FlagSpec> AllFlags();
void PrintHelp(std::ostream& out, const std::vector<FlagSpec>& flags);

// The flags on `argv`; throws ConfigError naming an unknown, malformed or secret flag.
FlagValues ReadFlags(int argc, const char* const* argv, const std::vector<FlagSpec>& specs,
                     bool& help, bool& version);

std::optional<FlagValue> Lookup(const FlagValues& flags, const std::string& name);
bool ParseBool(const FlagValue& flag);
std::chrono::milliseconds ParseFlagDuration(const FlagValue& flag);

}  // namespace ooe
