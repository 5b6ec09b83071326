#include "collectors/postgres/parser.h"

#include <array>
#include <cmath>
#include <utility>

#include "base/text_number.h"

namespace ooe::postgres {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// One column of COPY text with its backslash escapes undone.
std::string Unescape(std::string_view field) {
  std::string value;
  value.reserve(field.size());
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] != '\\' || i + 1 == field.size()) {
      value += field[i];
      continue;
    }
    const char next = field[++i];
    switch (next) {
      case 'b':
        value += '\b';
        break;
      case 'f':
        value += '\f';
        break;
      case 'n':
        value += '\n';
        break;
      case 'r':
        value += '\r';
        break;
      case 't':
        value += '\t';
        break;
      case 'v':
        value += '\v';
        break;
      case 'x': {
        int code = 0;
        int digits = 0;
        while (digits < 2 && i + 1 < field.size() && HexDigit(field[i + 1]) >= 0) {
          code = code * 16 + HexDigit(field[++i]);
          ++digits;
        }
        value += digits == 0 ? 'x' : static_cast<char>(code);
        break;
      }
      default:
        if (next >= '0' && next <= '7') {
          int code = next - '0';
          for (int digits = 1;
               digits < 3 && i + 1 < field.size() && field[i + 1] >= '0' && field[i + 1] <= '7';
               ++digits) {
            code = code * 8 + (field[++i] - '0');
          }
          value += static_cast<char>(code & 0xff);
        } else {
          value += next;
        }
    }
  }
  return value;
}

// Reads typed columns of one row, remembering the first column that was not what it should be.
class RowReader {
 public:
  RowReader(const Row& row, size_t row_number) : row_(row), row_number_(row_number) {}

  std::string Text(size_t column) {
    if (!row_[column]) return Fail(column, "is NULL"), std::string();
    return *row_[column];
  }
  double Number(size_t column) {
    if (!row_[column]) return Fail(column, "is NULL"), 0.0;
    const auto value = TextNumber(*row_[column]);
    if (!value) {
      Fail(column, std::string("'").append(Shortened(*row_[column])).append("' is not a number"));
      return 0.0;
    }
    return *value;
  }
  // A number where NULL means "the server does not know" (left out, never exported as 0).
  std::optional<double> OptionalNumber(size_t column) {
    if (!row_[column]) return std::nullopt;
    return Number(column);
  }
  bool Bool(size_t column) {
    if (row_[column] == "t") return true;
    if (row_[column] != "f") Fail(column, "is not a boolean (t or f)");
    return false;
  }
  const std::string& Error() const { return error_; }

 private:
  static std::string Shortened(const std::string& text) {
    return text.size() > 40 ? text.substr(0, 40) + "..." : text;
  }
  void Fail(size_t column, const std::string& why) {
    if (error_.empty()) {
      error_ = "row " + std::to_string(row_number_ + 1) + " column " + std::to_string(column + 1) +
               " " + why;
    }
  }

  const Row& row_;
  size_t row_number_;
  std::string error_;
};

// Parses every row with `read`, which fills one T from a RowReader.
template <typename T, typename Read>
Parsed<std::vector<T>> ParseEachRow(std::string_view text, size_t columns, Read read) {
  auto rows = ParseCopyRows(text, columns);
  if (!rows) return Parsed<std::vector<T>>::Failure(rows.error);
  std::vector<T> samples;
  samples.reserve(rows->size());
  for (size_t i = 0; i < rows->size(); ++i) {
    RowReader reader((*rows)[i], i);
    T sample = read(reader);
    if (!reader.Error().empty()) return Parsed<std::vector<T>>::Failure(reader.Error());
    samples.push_back(std::move(sample));
  }
  return Success(std::move(samples));
}

// The one row a single-row query returns.
Parsed<Row> OneRow(std::string_view text, size_t columns) {
  auto rows = ParseCopyRows(text, columns);
  if (!rows) return Parsed<Row>::Failure(rows.error);
  if (rows->size() != 1) {
    return Parsed<Row>::Failure("expected one row, got " + std::to_string(rows->size()));
  }
  return Success(std::move((*rows).front()));
}

}  // namespace

Parsed<std::vector<Row>> ParseCopyRows(std::string_view text, size_t columns) {
  std::vector<Row> rows;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) {
      return Parsed<std::vector<Row>>::Failure("row " + std::to_string(rows.size() + 1) +
                                               " does not end with a newline");
    }
    const auto line = text.substr(start, end - start);
    Row row;
    size_t field_start = 0;
    while (true) {
      const size_t tab = line.find('\t', field_start);
      const auto field = line.substr(
          field_start, tab == std::string_view::npos ? std::string_view::npos : tab - field_start);
      if (field == "\\N") {
        row.emplace_back(std::nullopt);
      } else {
        row.emplace_back(Unescape(field));
      }
      if (tab == std::string_view::npos) break;
      field_start = tab + 1;
    }
    if (row.size() != columns) {
      return Parsed<std::vector<Row>>::Failure("row " + std::to_string(rows.size() + 1) + " has " +
                                               std::to_string(row.size()) + " columns, expected " +
                                               std::to_string(columns));
    }
    rows.push_back(std::move(row));
    start = end + 1;
  }
  return Success(std::move(rows));
}

Parsed<ServerState> ParseServerState(std::string_view text) {
  auto row = OneRow(text, 10);
  if (!row) return Parsed<ServerState>::Failure(row.error);
  RowReader reader(*row, 0);
  ServerState state;
  state.start_time_seconds = reader.Number(0);
  state.max_connections = reader.Number(1);
  state.version = reader.Text(2);
  state.short_version = state.version.substr(0, state.version.find(' '));
  state.in_recovery = reader.Bool(3);
  state.replication_lag_seconds = reader.Number(4);
  state.has_monitor_role = reader.Bool(5);
  state.user = reader.Text(6);
  state.task_result_present = reader.Bool(7);
  state.doc_changes_present = reader.Bool(8);
  state.tenant_columns = reader.Bool(9);
  if (!reader.Error().empty()) return Parsed<ServerState>::Failure(reader.Error());
  return Success(std::move(state));
}

Parsed<std::vector<ActivitySample>> ParseActivity(std::string_view text) {
  return ParseEachRow<ActivitySample>(text, 4, [](RowReader& row) {
    return ActivitySample{.datname = row.Text(0),
                          .state = row.Text(1),
                          .count = row.Number(2),
                          .max_transaction_seconds = row.Number(3)};
  });
}

Parsed<std::vector<DatabaseStats>> ParseDatabaseStats(std::string_view text) {
  return ParseEachRow<DatabaseStats>(text, 17, [](RowReader& row) {
    return DatabaseStats{.datid = row.Text(0),
                         .datname = row.Text(1),
                         .backends = row.OptionalNumber(2),
                         .commits = row.OptionalNumber(3),
                         .rollbacks = row.OptionalNumber(4),
                         .blocks_read = row.OptionalNumber(5),
                         .blocks_hit = row.OptionalNumber(6),
                         .rows_returned = row.OptionalNumber(7),
                         .rows_fetched = row.OptionalNumber(8),
                         .rows_inserted = row.OptionalNumber(9),
                         .rows_updated = row.OptionalNumber(10),
                         .rows_deleted = row.OptionalNumber(11),
                         .conflicts = row.OptionalNumber(12),
                         .temp_files = row.OptionalNumber(13),
                         .temp_bytes = row.OptionalNumber(14),
                         .deadlocks = row.OptionalNumber(15),
                         .size_bytes = row.OptionalNumber(16)};
  });
}

Parsed<std::vector<LockSample>> ParseLocks(std::string_view text) {
  return ParseEachRow<LockSample>(text, 3, [](RowReader& row) {
    return LockSample{.datname = row.Text(0), .mode = row.Text(1), .count = row.Number(2)};
  });
}

std::string SaveBacklogQuery(bool tenant_columns) {
  const std::string key = tenant_columns ? "tenant, id" : "id";
  return "COPY (SELECT (SELECT count(*) FROM doc_changes),"
         " (SELECT count(*) FROM (SELECT DISTINCT " +
         key +
         " FROM doc_changes) d),"
         " (SELECT coalesce(greatest(0, extract(epoch FROM"
         " (now() AT TIME ZONE 'UTC') - min(change_date))), 0) FROM doc_changes),"
         " (SELECT count(*) FROM (SELECT DISTINCT " +
         key + " FROM doc_changes JOIN task_result USING (" + key +
         ") WHERE task_result.callback = '') n)) TO STDOUT";
}

Parsed<SaveBacklog> ParseSaveBacklog(std::string_view text) {
  auto row = OneRow(text, 4);
  if (!row) return Parsed<SaveBacklog>::Failure(row.error);
  RowReader reader(*row, 0);
  SaveBacklog backlog{.changes = reader.Number(0),
                      .documents = reader.Number(1),
                      .oldest_change_age_seconds = reader.Number(2),
                      .documents_without_callback = reader.Number(3)};
  if (!reader.Error().empty()) return Parsed<SaveBacklog>::Failure(reader.Error());
  return Success(backlog);
}

Parsed<std::vector<StatusCount>> ParseDocumentStatuses(std::string_view text) {
  return ParseEachRow<StatusCount>(text, 2, [](RowReader& row) {
    const double status = row.Number(0);
    // A smallint column: anything else is not what this query returns.
    const bool integral = std::abs(status) <= 32767 && status == std::floor(status);
    return StatusCount{.status = integral ? static_cast<long>(status) : -1,
                       .documents = row.Number(1)};
  });
}

std::string_view FileStatusName(long status) {
  // DocService's FileStatus codes, as task_result.status holds them; it defines no 4.
  static constexpr std::array<std::pair<long, std::string_view>, 9> kNames = {{
      {0, "none"},
      {1, "ok"},
      {2, "wait_queue"},
      {3, "need_params"},
      {5, "err"},
      {6, "err_to_reload"},
      {7, "save_version"},
      {8, "update_version"},
      {9, "need_password"},
  }};
  for (const auto& [code, name] : kNames) {
    if (code == status) return name;
  }
  return "unknown";
}

const std::vector<long>& KnownFileStatuses() {
  static const std::vector<long> kStatuses = {0, 1, 2, 3, 5, 6, 7, 8, 9};
  return kStatuses;
}

}  // namespace ooe::postgres
