// Structured logging in the Prometheus exporters' formats (logfmt or JSON), over spdlog.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ooe {

enum class LogLevel { kDebug, kInfo, kWarn, kError };
enum class LogFormat { kLogfmt, kJson };

using LogFields = std::vector<std::pair<std::string_view, std::string>>;

// Called once by main (and by tests that want quiet output); before that, logfmt at info.
void ConfigureLogging(LogLevel level, LogFormat format);

// One line: ts=... level=... msg="..." key=value ...
void Log(LogLevel level, std::string_view message, const LogFields& fields = {});

// The line Log() would write, without the timestamp (for tests).
std::string FormatLogLine(LogFormat format, LogLevel level, std::string_view message,
                          const LogFields& fields, std::string_view timestamp);

}  // namespace ooe
