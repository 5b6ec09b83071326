#include "collectors/docker/kernel_log.h"

#include <charconv>

namespace ooe::docker {
namespace {

constexpr size_t kContainerIdLength = 64;

bool IsHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

// The value of "key=" in a comma-separated "oom-kill:" line, up to the next comma; nullopt when
// the key is absent. Keys are matched at a field's start, so "memcg=" never matches "oom_memcg=".
std::optional<std::string_view> FieldOf(std::string_view line, std::string_view key) {
  size_t start = 0;
  while (start <= line.size()) {
    const size_t end = std::min(line.find(',', start), line.size());
    const std::string_view field = line.substr(start, end - start);
    if (field.starts_with(key) && field.size() > key.size() && field[key.size()] == '=') {
      return field.substr(key.size() + 1);
    }
    start = end + 1;
  }
  return std::nullopt;
}

}  // namespace

Parsed<KernelRecord> ParseKernelRecord(std::string_view record) {
  const size_t separator = record.find(';');
  const size_t line_end = record.find('\n');
  if (separator == std::string_view::npos || separator > line_end) {
    return Parsed<KernelRecord>::Failure("kernel log record without ';' after its header");
  }
  const std::string_view header = record.substr(0, separator);
  const size_t first_comma = header.find(',');
  if (first_comma == std::string_view::npos) {
    return Parsed<KernelRecord>::Failure("kernel log record header '" +
                                         std::string(header.substr(0, 40)) +
                                         "' has no sequence number");
  }
  const size_t second_comma = header.find(',', first_comma + 1);
  const std::string_view sequence_text = header.substr(
      first_comma + 1, second_comma == std::string_view::npos ? std::string_view::npos
                                                              : second_comma - first_comma - 1);
  KernelRecord parsed;
  const auto* begin = sequence_text.data();
  const auto* end = begin + sequence_text.size();
  const auto [next, status] = std::from_chars(begin, end, parsed.sequence);
  if (status != std::errc() || next != end || sequence_text.empty()) {
    return Parsed<KernelRecord>::Failure("kernel log record sequence '" +
                                         std::string(sequence_text.substr(0, 40)) +
                                         "' is not a number");
  }
  parsed.message =
      record.substr(separator + 1, line_end == std::string_view::npos ? std::string_view::npos
                                                                      : line_end - separator - 1);
  return Success(parsed);
}

std::optional<OomKill> ParseOomKill(std::string_view message) {
  constexpr std::string_view kLine = "oom-kill:";
  if (message.starts_with(kLine)) {
    const std::string_view fields = message.substr(kLine.size());
    const auto memcg = FieldOf(fields, "task_memcg");
    if (!memcg || memcg->empty()) return std::nullopt;
    return OomKill{std::string(*memcg), std::string(FieldOf(fields, "task").value_or(""))};
  }
  constexpr std::string_view kOldStart = "Task in ";
  constexpr std::string_view kOldEnd = " killed as a result of limit of ";
  if (message.starts_with(kOldStart)) {
    const size_t end = message.find(kOldEnd);
    if (end == std::string_view::npos || end == kOldStart.size()) return std::nullopt;
    return OomKill{std::string(message.substr(kOldStart.size(), end - kOldStart.size())), ""};
  }
  return std::nullopt;
}

std::string ContainerIdOfCgroup(std::string_view path) {
  std::string found;
  size_t start = 0;
  while (start < path.size()) {
    const size_t end = std::min(path.find('/', start), path.size());
    const std::string_view component = path.substr(start, end - start);
    size_t run = 0;
    for (size_t i = 0; i <= component.size(); ++i) {
      if (i < component.size() && IsHex(component[i])) {
        ++run;
        continue;
      }
      if (run == kContainerIdLength) found = std::string(component.substr(i - run, run));
      run = 0;
    }
    start = end + 1;
  }
  return found;
}

void OomTally::Add(const KernelRecord& record) {
  if (last_sequence_ && record.sequence <= *last_sequence_) return;
  last_sequence_ = record.sequence;
  const auto kill = ParseOomKill(record.message);
  if (!kill) return;
  auto id = ContainerIdOfCgroup(kill->task_memcg);
  if (id.empty()) return;
  ++kills_[std::move(id)];
}

double OomTally::Kills(std::string_view id) const {
  const auto found = kills_.find(id);
  return found == kills_.end() ? 0 : found->second;
}

}  // namespace ooe::docker
