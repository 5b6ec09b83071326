#include "base/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <mutex>
#include <nlohmann/json.hpp>

namespace ooe {
namespace {

std::atomic<LogLevel> g_level{LogLevel::kInfo};
std::atomic<LogFormat> g_format{LogFormat::kLogfmt};

std::string_view LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

spdlog::logger& Logger() {
  // stderr, as the Go exporters log; "%v" because the line is already formatted here.
  static const std::shared_ptr<spdlog::logger> kLogger = [] {
    auto created = std::make_shared<spdlog::logger>(
        "onlyoffice-exporter", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    created->set_pattern("%v");
    created->set_level(spdlog::level::trace);
    created->flush_on(spdlog::level::trace);
    return created;
  }();
  return *kLogger;
}

void AppendLogfmtValue(std::string& out, std::string_view value) {
  const bool needs_quotes =
      value.empty() || value.find_first_of(" =\"\\\n\t") != std::string_view::npos;
  if (!needs_quotes) {
    out.append(value);
    return;
  }
  out.push_back('"');
  for (const char c : value) {
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\t':
        out.append("\\t");
        break;
      default:
        out.push_back(c);
    }
  }
  out.push_back('"');
}

std::string NowTimestamp() {
  const auto now = std::chrono::system_clock::now();
  const auto seconds = std::chrono::system_clock::to_time_t(now);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[32];
  const size_t length = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &utc);
  char result[48];
  std::snprintf(result, sizeof result, "%.*s.%03dZ", static_cast<int>(length), buffer,
                static_cast<int>(millis));
  return result;
}

}  // namespace

void ConfigureLogging(LogLevel level, LogFormat format) {
  g_level = level;
  g_format = format;
}

std::string FormatLogLine(LogFormat format, LogLevel level, std::string_view message,
                          const LogFields& fields, std::string_view timestamp) {
  if (format == LogFormat::kJson) {
    nlohmann::ordered_json line;
    if (!timestamp.empty()) line["ts"] = timestamp;
    line["level"] = LevelName(level);
    line["msg"] = message;
    for (const auto& [key, value] : fields) line[std::string(key)] = value;
    return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  std::string line;
  if (!timestamp.empty()) {
    line.append("ts=");
    line.append(timestamp);
    line.push_back(' ');
  }
  line.append("level=");
  line.append(LevelName(level));
  line.append(" msg=");
  AppendLogfmtValue(line, message);
  for (const auto& [key, value] : fields) {
    line.push_back(' ');
    line.append(key);
    line.push_back('=');
    AppendLogfmtValue(line, value);
  }
  return line;
}

void Log(LogLevel level, std::string_view message, const LogFields& fields) {
  if (level < g_level.load()) return;
  Logger().info(FormatLogLine(g_format.load(), level, message, fields, NowTimestamp()));
}

}  // namespace ooe
