#include "collectors/redis/parser.h"

#include "base/text_number.h"

namespace ooe::redis {
namespace {

// Calls `visit(key, value)` for each `key=value` of "a=1,b=2".
template <typename Visit>
void ForEachPair(std::string_view text, Visit visit) {
  while (!text.empty()) {
    const auto comma = text.find(',');
    const auto pair = text.substr(0, comma);
    const auto equals = pair.find('=');
    if (equals != std::string_view::npos) visit(pair.substr(0, equals), pair.substr(equals + 1));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
}

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

}  // namespace

const std::string* Info::Field(std::string_view name) const {
  const auto found = fields.find(name);
  return found == fields.end() ? nullptr : &found->second;
}

std::optional<double> Info::Number(std::string_view name) const {
  const auto* text = Field(name);
  return text == nullptr ? std::nullopt : TextNumber(*text);
}

Parsed<Info> ParseInfo(std::string_view text) {
  Info info;
  size_t line_number = 0;
  while (!text.empty()) {
    const auto newline = text.find('\n');
    auto line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return Parsed<Info>::Failure("INFO line " + std::to_string(line_number) +
                                   " is not field:value");
    }
    const auto key = line.substr(0, colon);
    const auto value = line.substr(colon + 1);

    if (StartsWith(key, "db") && TextNumber(key.substr(2)).has_value() &&
        value.find("keys=") != std::string_view::npos) {
      KeyspaceEntry entry;
      entry.db = std::string(key);
      ForEachPair(value, [&](std::string_view name, std::string_view number) {
        const auto parsed = TextNumber(number).value_or(0);
        if (name == "keys") entry.keys = parsed;
        if (name == "expires") entry.expires = parsed;
        if (name == "avg_ttl") entry.avg_ttl_milliseconds = parsed;
      });
      info.keyspace.push_back(std::move(entry));
    } else if (StartsWith(key, "cmdstat_")) {
      CommandStat stat;
      stat.command = std::string(key.substr(8));
      ForEachPair(value, [&](std::string_view name, std::string_view number) {
        const auto parsed = TextNumber(number);
        if (!parsed) return;
        if (name == "calls") stat.calls = *parsed;
        if (name == "usec") stat.microseconds = *parsed;
        if (name == "rejected_calls") stat.rejected_calls = *parsed;
        if (name == "failed_calls") stat.failed_calls = *parsed;
      });
      info.commands.push_back(std::move(stat));
    } else if (StartsWith(key, "errorstat_")) {
      ErrorStat stat;
      stat.prefix = std::string(key.substr(10));
      ForEachPair(value, [&](std::string_view name, std::string_view number) {
        if (name == "count") stat.count = TextNumber(number).value_or(0);
      });
      info.errors.push_back(std::move(stat));
    } else {
      info.fields.insert_or_assign(std::string(key), std::string(value));
    }
  }
  if (info.fields.empty()) return Parsed<Info>::Failure("INFO reply has no fields");
  return Success(std::move(info));
}

}  // namespace ooe::redis
