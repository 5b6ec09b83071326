// The PostgreSQL transport: one libpq connection kept across scrapes. Every wait is a poll() on
// libpq's socket bounded by the scrape's deadline, so a hung server (every process stopped)
// costs the deadline and no more; the server bounds its own work by statement_timeout.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.h"
#include "collectors/collector.h"
#include "collectors/tls_config.h"

struct pg_conn;
struct pg_result;

namespace ooe::postgres {

// libpq connection keywords and values, the password left out.
struct ConnectionSettings {
  std::vector<std::pair<std::string, std::string>> keywords;
  std::string host;  // for messages and the target label: host (or socket directory) and port
  std::string port;
  std::string database;

  // postgresql://host:port/database, never with a secret.
  std::string ToString() const;
};

// Reads a libpq connection string (keyword/value or postgresql:// URI) and the target's
// tls_config (mapped to sslmode, sslrootcert, sslcert, sslkey; server_name becomes `host`, the
// address `hostaddr`). Returns nullopt with `problem` set when the string is malformed, carries
// a password, or the TLS settings cannot be expressed to libpq.
std::optional<ConnectionSettings> ParseConnectionSettings(std::string_view dsn,
                                                          const TlsConfig& tls, bool tls_configured,
                                                          std::string& problem);

class Client {
 public:
  // A reply (all rows of one query) longer than `max_reply_bytes` fails the query.
  Client(ConnectionSettings settings, std::optional<std::string> password, size_t max_reply_bytes);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Makes the connection ready for this scrape: connects when there is none and sets
  // statement_timeout to the time left. A kept connection the server has dropped (a restart)
  // is replaced at once, so one restart between scrapes costs no scrape.
  bool Prepare(const ScrapeContext& context, Error& error);

  // Runs one `COPY (...) TO STDOUT` query and returns its text; `what` names it in errors.
  // A failure that leaves the connection unusable (timeout, lost connection, oversized reply)
  // drops it, to be rebuilt by the next Prepare.
  std::optional<std::string> Copy(const ScrapeContext& context, std::string_view query,
                                  std::string_view what, Error& error);

  bool Connected() const { return connection_ != nullptr; }

 private:
  struct ConnectionDeleter {
    void operator()(pg_conn* connection) const;
  };
  bool Connect(const ScrapeContext& context, Error& error);
  std::optional<std::string> Run(const ScrapeContext& context, std::string_view query,
                                 std::string_view what, Error& error);
  Error Failure(std::string operation, std::string phase, std::string detail,
                std::string hint = {}) const;
  bool WaitForSocket(bool for_writing, const ScrapeContext& context) const;
  // A failed statement's result as an Error: its SQLSTATE decides the phase and the hint.
  Error StatementError(const pg_result* result, std::string_view what) const;
  // How the rows of a COPY ... TO STDOUT ended.
  enum class CopyEnd { kDone, kLost, kTimedOut, kTooLarge };
  // The rows appended to `text`, up to max_reply_bytes_.
  CopyEnd ReadCopyRows(const ScrapeContext& context, std::string& text);

  ConnectionSettings settings_;
  std::optional<std::string> password_;
  size_t max_reply_bytes_;
  std::string description_;
  std::unique_ptr<pg_conn, ConnectionDeleter> connection_;
};

}  // namespace ooe::postgres
