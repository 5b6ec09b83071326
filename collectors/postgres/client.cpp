#include "collectors/postgres/client.h"

#include <arpa/inet.h>
#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <map>

namespace ooe::postgres {
namespace {

// libpq's messages span lines ("connection to server ... failed: FATAL:  ...\n"); a log line
// and an error series want one.
std::string OneLine(std::string_view message) {
  std::string line;
  bool space = false;
  for (const char c : message) {
    if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
      space = !line.empty();
      continue;
    }
    if (space) line += ' ';
    space = false;
    line += c;
  }
  return line;
}

bool IsIpAddress(const std::string& text) {
  unsigned char buffer[sizeof(struct in6_addr)];
  return inet_pton(AF_INET, text.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

bool Contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

// Where a connection attempt failed, from libpq's message (it gives no code before a session).
std::pair<std::string, std::string> ConnectPhase(std::string_view message) {
  if (Contains(message, "password authentication failed") ||
      Contains(message, "no password supplied") || Contains(message, "does not exist") ||
      Contains(message, "pg_hba.conf")) {
    return {"auth",
            "check the dsn's user and dbname, the password (password_file, password_env), and "
            "pg_hba.conf"};
  }
  if (Contains(message, "invalid response to SSL negotiation") ||
      Contains(message, "expected authentication request")) {
    return {"connect", "is this PostgreSQL's port?"};
  }
  if (Contains(message, "SSL") || Contains(message, "certificate") ||
      Contains(message, "root.crt")) {
    return {"tls", "check sslmode and tls_config (ca_file, server_name)"};
  }
  if (Contains(message, "Connection refused")) return {"refused", ""};
  return {"connect", ""};
}

}  // namespace

std::string ConnectionSettings::ToString() const {
  return "postgresql://" + host + ":" + port + "/" + database;
}

std::optional<ConnectionSettings> ParseConnectionSettings(std::string_view dsn,
                                                          const TlsConfig& tls, bool tls_configured,
                                                          std::string& problem) {
  char* parse_error = nullptr;
  PQconninfoOption* options = PQconninfoParse(std::string(dsn).c_str(), &parse_error);
  if (options == nullptr) {
    problem = parse_error != nullptr ? OneLine(parse_error) : "cannot be parsed (out of memory)";
    PQfreemem(parse_error);
    return std::nullopt;
  }
  std::map<std::string, std::string> given;
  for (const auto* option = options; option->keyword != nullptr; ++option) {
    if (option->val != nullptr && *option->val != '\0') given[option->keyword] = option->val;
  }
  PQconninfoFree(options);
  // libpq reads the port only when it connects: a typo would otherwise surface at every scrape.
  if (given.contains("port")) {
    std::string_view ports = given["port"];
    while (true) {
      const auto part = ports.substr(0, ports.find(','));
      const bool digits = !part.empty() && part.size() <= 5 &&
                          part.find_first_not_of("0123456789") == std::string_view::npos;
      if (!digits || std::stoi(std::string(part)) < 1 || std::stoi(std::string(part)) > 65535) {
        problem = "port '" + given["port"] + "' is not a port number (1-65535)";
        return std::nullopt;
      }
      if (part.size() == ports.size()) break;
      ports.remove_prefix(part.size() + 1);
    }
  }
  if (given.contains("password")) {
    problem = "carries a password; give it in password_file or password_env instead";
    return std::nullopt;
  }
  if (tls_configured) {
    if (!given.contains("sslmode")) {
      given["sslmode"] = tls.insecure_skip_verify ? "require" : "verify-full";
    }
    if (!tls.ca_file.empty()) given["sslrootcert"] = tls.ca_file;
    if (!tls.cert_file.empty()) given["sslcert"] = tls.cert_file;
    if (!tls.key_file.empty()) given["sslkey"] = tls.key_file;
    if (!tls.server_name.empty()) {
      // libpq verifies the certificate against `host` and, given `hostaddr`, connects there.
      if (!given.contains("hostaddr")) {
        const auto host = given.contains("host") ? given["host"] : "";
        if (!IsIpAddress(host)) {
          problem =
              "tls_config.server_name needs the dsn's host to be an IP address (libpq "
              "verifies the name in host and connects to hostaddr)";
          return std::nullopt;
        }
        given["hostaddr"] = host;
      }
      given["host"] = tls.server_name;
    }
  }
  ConnectionSettings settings;
  // Where it connects: hostaddr when given (host is then only the name verified).
  settings.host = given.contains("hostaddr") ? given["hostaddr"]
                  : given.contains("host")   ? given["host"]
                                             : "localhost";
  settings.port = given.contains("port") ? given["port"] : "5432";
  settings.database = given.contains("dbname") ? given["dbname"]
                      : given.contains("user") ? given["user"]
                                               : "";
  if (!given.contains("fallback_application_name")) {
    given["fallback_application_name"] = "onlyoffice-exporter";
  }
  settings.keywords.assign(given.begin(), given.end());
  return settings;
}

void Client::ConnectionDeleter::operator()(pg_conn* connection) const { PQfinish(connection); }

Client::Client(ConnectionSettings settings, std::optional<std::string> password,
               size_t max_reply_bytes)
    : settings_(std::move(settings)),
      password_(std::move(password)),
      max_reply_bytes_(max_reply_bytes),
      description_(settings_.ToString()) {}

Client::~Client() = default;

Error Client::Failure(std::string operation, std::string phase, std::string detail,
                      std::string hint) const {
  return Error{.operation = std::move(operation),
               .resource = description_,
               .phase = std::move(phase),
               .detail = std::move(detail),
               .hint = std::move(hint)};
}

bool Client::WaitForSocket(bool for_writing, const ScrapeContext& context) const {
  const int socket = PQsocket(connection_.get());
  if (socket < 0) return false;
  pollfd descriptor{
      .fd = socket, .events = static_cast<short>(for_writing ? POLLOUT : POLLIN), .revents = 0};
  while (true) {
    const auto left = context.Remaining();
    if (left.count() <= 0) return false;
    const int ready = poll(&descriptor, 1, static_cast<int>(left.count()));
    if (ready > 0) return true;
    if (ready == 0) return false;
    if (errno != EINTR) return false;
  }
}

bool Client::Connect(const ScrapeContext& context, Error& error) {
  std::vector<const char*> keywords;
  std::vector<const char*> values;
  for (const auto& [keyword, value] : settings_.keywords) {
    keywords.push_back(keyword.c_str());
    values.push_back(value.c_str());
  }
  if (password_) {
    keywords.push_back("password");
    values.push_back(password_->c_str());
  }
  // libpq's own bound, in whole seconds (at least 2, as libpq counts them): a backstop behind
  // the poll() deadline below, which is exact.
  const auto seconds = std::max<long long>(2, (context.Remaining().count() + 999) / 1000);
  const std::string connect_timeout = std::to_string(seconds);
  if (std::none_of(settings_.keywords.begin(), settings_.keywords.end(),
                   [](const auto& keyword) { return keyword.first == "connect_timeout"; })) {
    keywords.push_back("connect_timeout");
    values.push_back(connect_timeout.c_str());
  }
  keywords.push_back(nullptr);
  values.push_back(nullptr);

  connection_.reset(PQconnectStartParams(keywords.data(), values.data(), 0));
  if (!connection_) {
    error = Failure("connect", "connect", "libpq could not allocate a connection");
    return false;
  }
  PostgresPollingStatusType status = PGRES_POLLING_WRITING;
  if (PQstatus(connection_.get()) == CONNECTION_BAD) status = PGRES_POLLING_FAILED;
  while (status != PGRES_POLLING_OK) {
    if (status == PGRES_POLLING_FAILED) {
      const auto message = OneLine(PQerrorMessage(connection_.get()));
      auto [phase, hint] = ConnectPhase(message);
      error = Failure("connect", phase, message, hint);
      connection_.reset();
      return false;
    }
    if (!WaitForSocket(status == PGRES_POLLING_WRITING, context)) {
      error = Failure("connect", "timeout",
                      "no answer before the deadline (connecting, TLS or authentication)",
                      "is the server hung or overloaded?");
      connection_.reset();
      return false;
    }
    status = PQconnectPoll(connection_.get());
  }
  if (PQsetnonblocking(connection_.get(), 1) != 0) {
    error = Failure("connect", "connect", OneLine(PQerrorMessage(connection_.get())));
    connection_.reset();
    return false;
  }
  return true;
}

bool Client::Prepare(const ScrapeContext& context, Error& error) {
  const bool reused = connection_ && PQstatus(connection_.get()) == CONNECTION_OK;
  if (!reused) {
    connection_.reset();
    if (!Connect(context, error)) return false;
  }
  // The server stops a query of ours when the scrape no longer waits for it.
  const auto left = std::max<long long>(1, context.Remaining().count());
  const std::string set_timeout = "SET statement_timeout = " + std::to_string(left);
  if (Run(context, set_timeout, "SET statement_timeout", error)) return true;
  // A kept connection the server ended (a restart since the last scrape) is replaced; one that
  // timed out is not: the server is there but does not answer.
  if (!reused || connection_ || error.phase == "timeout") return false;
  if (!Connect(context, error)) return false;
  return Run(context, set_timeout, "SET statement_timeout", error).has_value();
}

std::optional<std::string> Client::Copy(const ScrapeContext& context, std::string_view query,
                                        std::string_view what, Error& error) {
  if (!connection_) {
    error = Failure("query", "connect", std::string(what) + ": not connected");
    return std::nullopt;
  }
  return Run(context, query, what, error);
}

Error Client::StatementError(const PGresult* result, std::string_view what) const {
  const char* code = PQresultErrorField(result, PG_DIAG_SQLSTATE);
  const char* primary = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
  const std::string sqlstate = code != nullptr ? code : "";
  const std::string message = OneLine(primary != nullptr ? primary : PQresultErrorMessage(result));
  std::string phase = "query";
  std::string hint;
  if (sqlstate == "42501") {
    phase = "permission";
    hint = "grant the monitoring role pg_monitor and SELECT on task_result and doc_changes";
  } else if (sqlstate == "57014") {
    phase = "timeout";
    hint = "statement_timeout: the query outlasted the scrape's deadline";
  }
  return Failure("query", phase, std::string(what) + ": " + message, hint);
}

Client::CopyEnd Client::ReadCopyRows(const ScrapeContext& context, std::string& text) {
  pg_conn* connection = connection_.get();
  while (true) {
    char* row = nullptr;
    const int length = PQgetCopyData(connection, &row, 1);
    if (length > 0) {
      const bool fits = text.size() + static_cast<size_t>(length) <= max_reply_bytes_;
      if (fits) text.append(row, static_cast<size_t>(length));
      PQfreemem(row);
      if (!fits) return CopyEnd::kTooLarge;
    } else if (length == 0) {
      if (!WaitForSocket(false, context)) return CopyEnd::kTimedOut;
      if (PQconsumeInput(connection) == 0) return CopyEnd::kLost;
    } else if (length == -1) {
      return CopyEnd::kDone;
    } else {
      return CopyEnd::kLost;
    }
  }
}

std::optional<std::string> Client::Run(const ScrapeContext& context, std::string_view query,
                                       std::string_view what, Error& error) {
  pg_conn* connection = connection_.get();
  const auto drop = [&](std::string phase, const std::string& detail, std::string hint = {}) {
    error = Failure("query", std::move(phase), std::string(what) + ": " + detail, std::move(hint));
    connection_.reset();
    return std::nullopt;
  };
  const auto lost = [&] { return drop("connect", OneLine(PQerrorMessage(connection))); };
  const auto timed_out = [&] {
    return drop("timeout", "no reply before the deadline", "is the server hung or overloaded?");
  };

  if (PQsendQuery(connection, std::string(query).c_str()) == 0) return lost();
  while (true) {
    const int flushed = PQflush(connection);
    if (flushed == 0) break;
    if (flushed < 0) return lost();
    if (!WaitForSocket(true, context)) return timed_out();
  }

  std::string text;
  std::optional<Error> query_error;
  while (true) {
    while (PQisBusy(connection) != 0) {
      if (!WaitForSocket(false, context)) return timed_out();
      if (PQconsumeInput(connection) == 0) return lost();
    }
    PGresult* result = PQgetResult(connection);
    if (result == nullptr) break;
    const auto status = PQresultStatus(result);
    if (status == PGRES_COPY_OUT) {
      PQclear(result);
      const CopyEnd end = ReadCopyRows(context, text);
      if (end == CopyEnd::kLost) return lost();
      if (end == CopyEnd::kTimedOut) return timed_out();
      if (end == CopyEnd::kTooLarge) {
        return drop("too_large", "reply larger than max_body_size (" +
                                     std::to_string(max_reply_bytes_) + " bytes)");
      }
      continue;
    }
    if ((status == PGRES_FATAL_ERROR || status == PGRES_NONFATAL_ERROR) && !query_error) {
      query_error = StatementError(result, what);
    }
    PQclear(result);
  }
  if (PQstatus(connection) == CONNECTION_BAD) {
    if (query_error) {
      error = *query_error;
      connection_.reset();
      return std::nullopt;
    }
    return lost();
  }
  if (query_error) {
    error = *query_error;
    return std::nullopt;
  }
  return text;
}

}  // namespace ooe::postgres
