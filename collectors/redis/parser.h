// Pure parser of Redis `INFO` text (the `field:value` lines of every section).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/parsed.h"

namespace ooe::redis {

// One `dbN:keys=..,expires=..,avg_ttl=..` line of the Keyspace section.
struct KeyspaceEntry {
  std::string db;
  double keys = 0;
  double expires = 0;
  double avg_ttl_milliseconds = 0;
};

// One `cmdstat_NAME:calls=..,usec=..,rejected_calls=..,failed_calls=..` line (Commandstats).
struct CommandStat {
  std::string command;  // as Redis names it, subcommands with '|' ("config|get")
  double calls = 0;
  double microseconds = 0;
  std::optional<double> rejected_calls;  // Redis 6.2+
  std::optional<double> failed_calls;    // Redis 6.2+
};

// One `errorstat_PREFIX:count=..` line (Errorstats, Redis 6.2+).
struct ErrorStat {
  std::string prefix;
  double count = 0;
};

struct Info {
  std::map<std::string, std::string, std::less<>> fields;  // every plain field:value
  std::vector<KeyspaceEntry> keyspace;
  std::vector<CommandStat> commands;
  std::vector<ErrorStat> errors;

  const std::string* Field(std::string_view name) const;
  // The field as a number; nullopt when absent or not a number.
  std::optional<double> Number(std::string_view name) const;
};

Parsed<Info> ParseInfo(std::string_view text);

}  // namespace ooe::redis
