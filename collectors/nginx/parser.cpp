#include "collectors/nginx/parser.h"

#include <string>
#include <vector>

#include "base/text_number.h"

namespace ooe::nginx {
namespace {

// The whitespace-separated words of `text`.
std::vector<std::string_view> Words(std::string_view text) {
  std::vector<std::string_view> words;
  size_t at = 0;
  while (at < text.size()) {
    while (at < text.size() && (text[at] == ' ' || text[at] == '\t' || text[at] == '\r')) ++at;
    const size_t start = at;
    while (at < text.size() && text[at] != ' ' && text[at] != '\t' && text[at] != '\r') ++at;
    if (at > start) words.push_back(text.substr(start, at - start));
  }
  return words;
}

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const auto end = text.find('\n');
    lines.push_back(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

// A count as stub_status writes it: a whole, non-negative number.
std::optional<double> Count(std::string_view word) {
  const auto value = TextNumber(word);
  if (!value || *value < 0 || word.find_first_not_of("0123456789") != std::string_view::npos) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

Parsed<StubStatus> ParseStubStatus(std::string_view text) {
  const auto lines = Lines(text);
  if (lines.size() < 4) {
    return Parsed<StubStatus>::Failure(std::string("not a stub_status page: ")
                                           .append(std::to_string(lines.size()))
                                           .append(" lines, 4 expected"));
  }
  StubStatus status;
  const auto first = Words(lines[0]);
  if (first.size() != 3 || first[0] != "Active" || first[1] != "connections:" ||
      !(status.active = Count(first[2]))) {
    return Parsed<StubStatus>::Failure("not a stub_status page: no 'Active connections: N'");
  }
  const auto header = Words(lines[1]);
  if (header.size() != 4 || header[0] != "server" || header[1] != "accepts" ||
      header[2] != "handled" || header[3] != "requests") {
    return Parsed<StubStatus>::Failure(
        "not a stub_status page: no 'server accepts handled requests' line");
  }
  const auto totals = Words(lines[2]);
  if (totals.size() != 3 || !(status.accepted = Count(totals[0])) ||
      !(status.handled = Count(totals[1])) || !(status.requests = Count(totals[2]))) {
    return Parsed<StubStatus>::Failure(
        "stub_status: the accepts handled requests line is not three counts");
  }
  const auto states = Words(lines[3]);
  if (states.size() != 6 || states[0] != "Reading:" || states[2] != "Writing:" ||
      states[4] != "Waiting:" || !(status.reading = Count(states[1])) ||
      !(status.writing = Count(states[3])) || !(status.waiting = Count(states[5]))) {
    return Parsed<StubStatus>::Failure("stub_status: no 'Reading: N Writing: N Waiting: N' line");
  }
  return Success(status);
}

}  // namespace ooe::nginx
