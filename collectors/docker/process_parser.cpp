#include "collectors/docker/process_parser.h"

#include <algorithm>
#include <charconv>

#include "base/text_number.h"

namespace ooe::docker {
namespace {

std::vector<std::string_view> Fields(std::string_view text) {
  std::vector<std::string_view> fields;
  size_t at = 0;
  while (at < text.size()) {
    while (at < text.size() && (text[at] == ' ' || text[at] == '\n' || text[at] == '\t')) ++at;
    const size_t start = at;
    while (at < text.size() && text[at] != ' ' && text[at] != '\n' && text[at] != '\t') ++at;
    if (at > start) fields.push_back(text.substr(start, at - start));
  }
  return fields;
}

// "before 'value' after", the value cut at 40 characters; appended, since GCC 12 at -O3 warns
// (-Wrestrict, bug 105329) on "literal" + std::string.
std::string QuotedIn(std::string_view before, std::string_view value, std::string_view after) {
  std::string message(before);
  message.append("'").append(value.substr(0, 40)).append("'").append(after);
  return message;
}

}  // namespace

Parsed<std::vector<long long>> ParseProcessList(std::string_view body) {
  std::vector<long long> pids;
  for (const auto field : Fields(body)) {
    long long pid = 0;
    const auto* end = field.data() + field.size();
    const auto [next, status] = std::from_chars(field.data(), end, pid);
    if (status != std::errc() || next != end || pid <= 0) {
      return Parsed<std::vector<long long>>::Failure(QuotedIn("", field, " is not a process id"));
    }
    pids.push_back(pid);
  }
  return Success(std::move(pids));
}

Parsed<ProcessStat> ParseProcessStat(std::string_view body) {
  const size_t open = body.find(" (");
  const size_t close = body.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
    return Parsed<ProcessStat>::Failure("no '(name)' after the process id");
  }
  ProcessStat stat;
  stat.comm = std::string(body.substr(open + 2, close - open - 2));
  // After ')': field 3 (state) is the first; utime is field 14, so index 11 here.
  const auto fields = Fields(body.substr(close + 1));
  constexpr size_t kUser = 11, kSystem = 12, kStart = 19, kRss = 21;
  if (fields.size() <= kRss) {
    return Parsed<ProcessStat>::Failure(std::string("only ")
                                            .append(std::to_string(fields.size() + 2))
                                            .append(" fields, fewer than 24"));
  }
  const auto user = TextNumber(fields[kUser]);
  const auto system = TextNumber(fields[kSystem]);
  const auto start = TextNumber(fields[kStart]);
  const auto rss = TextNumber(fields[kRss]);
  if (!user || !system || !start || !rss) {
    return Parsed<ProcessStat>::Failure("utime, stime, starttime or rss is not a number");
  }
  stat.user_ticks = *user;
  stat.system_ticks = *system;
  stat.start_ticks = *start;
  // A kernel thread (or a process exiting) can show a negative rss of 0 pages; never below 0.
  stat.rss_pages = std::max(0.0, *rss);
  return Success(std::move(stat));
}

Parsed<double> ParseOpenFilesSoftLimit(std::string_view body) {
  constexpr std::string_view kName = "Max open files";
  size_t line_start = 0;
  while (line_start < body.size()) {
    const size_t line_end = std::min(body.find('\n', line_start), body.size());
    const std::string_view line = body.substr(line_start, line_end - line_start);
    if (line.starts_with(kName)) {
      const auto fields = Fields(line.substr(kName.size()));
      if (fields.empty()) break;
      if (fields[0] == "unlimited") return Success(-1.0);
      if (const auto value = TextNumber(fields[0])) return Success(*value);
      return Parsed<double>::Failure(
          QuotedIn("'Max open files' soft limit ", fields[0], " is not a number"));
    }
    line_start = line_end + 1;
  }
  return Parsed<double>::Failure("no 'Max open files' line");
}

Parsed<double> ParseBootTime(std::string_view body) {
  size_t line_start = 0;
  while (line_start < body.size()) {
    const size_t line_end = std::min(body.find('\n', line_start), body.size());
    const std::string_view line = body.substr(line_start, line_end - line_start);
    if (line.starts_with("btime ")) {
      if (const auto value = TextNumber(line.substr(6))) return Success(*value);
      return Parsed<double>::Failure(QuotedIn("btime ", line.substr(6), " is not a number"));
    }
    line_start = line_end + 1;
  }
  return Parsed<double>::Failure("no btime line");
}

std::string ProgramName(std::string_view comm) {
  std::string name(comm.substr(0, 64));
  for (char& c : name) {
    if (c < 0x20 || c > 0x7e) c = '_';
  }
  return name;
}

std::vector<ProgramUsage> ProcessTally::Update(const std::vector<ProcessSample>& processes,
                                               const HostClock& clock, size_t max_programs) {
  // Programs by resident memory, to give free places to the largest.
  std::map<std::string, double, std::less<>> resident;
  for (const auto& process : processes) {
    resident[ProgramName(process.stat.comm)] += process.stat.rss_pages * clock.page_bytes;
  }
  std::erase_if(own_series_,
                [&](const std::string& program) { return !resident.contains(program); });
  std::vector<std::pair<double, std::string>> by_memory;
  for (const auto& [program, bytes] : resident) {
    if (!own_series_.contains(program) && program != kOther) by_memory.emplace_back(bytes, program);
  }
  std::sort(by_memory.begin(), by_memory.end(), [](const auto& a, const auto& b) {
    return a.first > b.first || (a.first == b.first && a.second < b.second);
  });
  for (const auto& [bytes, program] : by_memory) {
    if (own_series_.size() >= max_programs) break;
    own_series_.insert(program);
  }

  std::map<std::string, ProgramUsage, std::less<>> series;
  std::map<long long, Seen> seen;
  for (const auto& process : processes) {
    std::string program = ProgramName(process.stat.comm);
    if (!own_series_.contains(program)) program = std::string(kOther);
    auto& usage = series[program];
    usage.program = program;
    usage.processes += 1;
    usage.resident_bytes += process.stat.rss_pages * clock.page_bytes;
    const double start =
        clock.boot_time_seconds + process.stat.start_ticks / clock.ticks_per_second;
    usage.newest_start_seconds = std::max(usage.newest_start_seconds, start);
    if (process.file_descriptors) {
      usage.file_descriptors += *process.file_descriptors;
      // Only a process whose limit is known can be the busiest (the reader reads the limits of
      // each program's busiest process alone).
      if (process.open_files_limit &&
          (!usage.busiest_open_files_limit ||
           *process.file_descriptors > usage.busiest_file_descriptors)) {
        usage.busiest_file_descriptors = *process.file_descriptors;
        usage.busiest_open_files_limit = process.open_files_limit;
      }
    }
    const double cpu_ticks = process.stat.user_ticks + process.stat.system_ticks;
    double grown = cpu_ticks;
    if (const auto before = seen_.find(process.pid);
        before != seen_.end() && before->second.start_ticks == process.stat.start_ticks) {
      grown = std::max(0.0, cpu_ticks - before->second.cpu_ticks);
    }
    cpu_seconds_[program] += grown / clock.ticks_per_second;
    seen[process.pid] = Seen{process.stat.start_ticks, cpu_ticks};
  }
  seen_ = std::move(seen);
  // A series without processes is gone; its counter starts again if the program comes back.
  std::erase_if(cpu_seconds_, [&](const auto& entry) { return !series.contains(entry.first); });
  std::vector<ProgramUsage> result;
  for (auto& [program, usage] : series) {
    usage.cpu_seconds = cpu_seconds_[program];
    result.push_back(std::move(usage));
  }
  return result;
}

}  // namespace ooe::docker
