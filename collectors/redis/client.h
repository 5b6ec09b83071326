// The Redis transport: one hiredis connection, kept between scrapes, bounded by the deadline.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "collectors/collector.h"
#include "collectors/tls_config.h"

struct redisContext;

namespace ooe::redis {

struct Address {
  enum class Scheme { kTcp, kTls, kUnix };
  Scheme scheme = Scheme::kTcp;
  std::string host;
  int port = 6379;
  std::string socket_path;

  std::string ToString() const;  // redis://host:port or unix:///path
};

// Parses redis://host[:port], rediss://host[:port], unix:///path, or a bare host:port.
// Returns nullopt with `error` set when malformed.
std::optional<Address> ParseAddress(std::string_view text, std::string& error);

struct Credentials {
  std::string username;  // empty: AUTH with the password alone
  std::optional<std::string> password;
};

// What one scrape reads from the server.
struct Snapshot {
  std::string info;                       // INFO ALL
  std::optional<std::string> maxclients;  // CONFIG GET, when the ACL allows it
  std::optional<std::string> maxmemory;
};

class TlsStream;

class Client {
 public:
  // `tls` applies to rediss:// addresses. A reply longer than `max_reply_bytes` (INFO ALL is a
  // few KiB) fails the command instead of being buffered whole.
  Client(Address address, Credentials credentials, TlsConfig tls, size_t max_reply_bytes);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Reads the snapshot, (re)connecting and authenticating when needed. On failure returns
  // nullopt and sets `error`; the connection is dropped and rebuilt next time.
  std::optional<Snapshot> Fetch(const ScrapeContext& context, Error& error);

 private:
  struct ContextDeleter {
    void operator()(redisContext* context) const;
  };
  bool Connect(const ScrapeContext& context, Error& error);
  Error Failure(std::string operation, std::string phase, std::string detail) const;
  bool Connected() const { return connection_ != nullptr || tls_ != nullptr; }
  void Disconnect();
  // Runs one command; an error reply sets `server_error` instead of failing the connection.
  std::optional<std::string> Command(const ScrapeContext& context,
                                     const std::vector<std::string>& arguments, Error& error,
                                     std::string* server_error);

  Address address_;
  Credentials credentials_;
  TlsConfig tls_options_;
  size_t max_reply_bytes_;
  std::unique_ptr<redisContext, ContextDeleter> connection_;  // redis:// and unix://
  std::unique_ptr<TlsStream> tls_;                            // rediss://
};

}  // namespace ooe::redis
