#include "collectors/http/certificate.h"

#include <array>
#include <charconv>
#include <ctime>

namespace ooe {
namespace {

bool ReadNumber(std::string_view& text, int& value, size_t max_digits) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  const auto end = text.data() + std::min(text.size(), max_digits);
  const auto [after, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc() || after == text.data()) return false;
  text.remove_prefix(static_cast<size_t>(after - text.data()));
  return true;
}

bool Expect(std::string_view& text, char c) {
  if (text.empty() || text.front() != c) return false;
  text.remove_prefix(1);
  return true;
}

}  // namespace

std::optional<double> ParseCertificateTime(std::string_view text) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (text.size() < 3) return std::nullopt;
  int month = -1;
  for (size_t i = 0; i < kMonths.size(); ++i) {
    if (text.substr(0, 3) == kMonths[i]) month = static_cast<int>(i);
  }
  if (month < 0) return std::nullopt;
  text.remove_prefix(3);
  int day = 0, hour = 0, minute = 0, second = 0, year = 0;
  if (!ReadNumber(text, day, 2) || !Expect(text, ' ') || !ReadNumber(text, hour, 2) ||
      !Expect(text, ':') || !ReadNumber(text, minute, 2) || !Expect(text, ':') ||
      !ReadNumber(text, second, 2) || !ReadNumber(text, year, 4)) {
    return std::nullopt;
  }
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  if (text != "GMT" || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60 ||
      year < 1950 || year > 9999) {
    return std::nullopt;
  }
  std::tm time{};
  time.tm_year = year - 1900;
  time.tm_mon = month;
  time.tm_mday = day;
  time.tm_hour = hour;
  time.tm_min = minute;
  time.tm_sec = second;
  return static_cast<double>(timegm(&time));
}

std::optional<double> EarliestExpiry(
    const std::vector<std::vector<std::string_view>>& certificates) {
  constexpr std::string_view kExpire = "Expire date:";
  std::optional<double> earliest;
  for (const auto& fields : certificates) {
    for (const auto field : fields) {
      if (!field.starts_with(kExpire)) continue;
      const auto expiry = ParseCertificateTime(field.substr(kExpire.size()));
      if (expiry && (!earliest || *expiry < *earliest)) earliest = expiry;
    }
  }
  return earliest;
}

}  // namespace ooe
