// Fuzz target: the postgres collector's COPY output parsers (collectors/postgres/parser.h). The
// first line names the query whose parser reads the rest, as the seeds are written.
#include <cmath>
#include <cstdlib>
#include <string_view>

#include "collectors/postgres/parser.h"

namespace {

template <typename Parsed>
void Check(const Parsed& parsed) {
  if (!parsed && parsed.error.empty()) std::abort();  // a failure always says why
}

void CheckFinite(double value) {
  if (!std::isfinite(value)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto newline = input.find('\n');
  const auto query = input.substr(0, newline);
  const auto rows =
      newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
  using namespace ooe::postgres;
  if (query == "server_state") {
    const auto state = ParseServerState(rows);
    Check(state);
    if (state) CheckFinite(state->start_time_seconds);
  } else if (query == "activity") {
    const auto activity = ParseActivity(rows);
    Check(activity);
    if (activity) {
      for (const auto& sample : *activity) CheckFinite(sample.count);
    }
  } else if (query == "database_stats") {
    Check(ParseDatabaseStats(rows));
  } else if (query == "locks") {
    Check(ParseLocks(rows));
  } else if (query == "save_backlog") {
    Check(ParseSaveBacklog(rows));
  } else if (query == "document_status") {
    const auto statuses = ParseDocumentStatuses(rows);
    Check(statuses);
    if (statuses) {
      for (const auto& status : *statuses) (void)FileStatusName(status.status);
    }
  } else {
    Check(ParseCopyRows(input, 3));
  }
  return 0;
}
