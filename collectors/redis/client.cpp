#include "collectors/redis/client.h"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <cerrno>
#include <charconv>

#include "collectors/redis/tls_stream.h"

namespace ooe::redis {
namespace {

timeval ToTimeval(std::chrono::milliseconds duration) {
  // hiredis treats a zero timeout as "block forever": never hand it one.
  const long long ms = std::max<long long>(duration.count(), 1);
  return timeval{.tv_sec = static_cast<time_t>(ms / 1000),
                 .tv_usec = static_cast<suseconds_t>((ms % 1000) * 1000)};
}

struct ReplyDeleter {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};

// redisCommandArgv() with the deadline and the size cap the HTTP collectors have: hiredis's
// timeout bounds each recv(), so a server that trickles a byte now and then would hold the
// collector past its deadline, and it buffers a bulk reply of any announced length.
redisReply* RoundTrip(redisContext* connection, const std::vector<std::string>& arguments,
                      const ScrapeContext& context, size_t max_reply_bytes, std::string& error,
                      bool& timed_out) {
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  for (const auto& argument : arguments) {
    argv.push_back(argument.data());
    lengths.push_back(argument.size());
  }
  if (redisAppendCommandArgv(connection, static_cast<int>(argv.size()), argv.data(),
                             lengths.data()) != REDIS_OK) {
    error = connection->errstr;
    return nullptr;
  }
  const auto io_failed = [&] {
    timed_out = connection->err == REDIS_ERR_IO && (errno == EAGAIN || errno == EWOULDBLOCK);
    error = connection->errstr;
    return nullptr;
  };
  int done = 0;
  while (done == 0) {
    redisSetTimeout(connection, ToTimeval(context.Remaining()));
    if (redisBufferWrite(connection, &done) != REDIS_OK) return io_failed();
  }
  for (;;) {
    void* reply = nullptr;
    if (redisGetReplyFromReader(connection, &reply) != REDIS_OK) {
      error = std::string("protocol error: ") + connection->errstr;
      return nullptr;
    }
    if (reply != nullptr) return static_cast<redisReply*>(reply);
    if (context.Expired()) {
      timed_out = true;
      return nullptr;
    }
    redisSetTimeout(connection, ToTimeval(context.Remaining()));
    if (redisBufferRead(connection) != REDIS_OK) return io_failed();
    // Checked before the reader parses it: a bulk reply completes only once it is all here.
    if (connection->reader->len > max_reply_bytes) {
      error = "reply larger than the limit of " + std::to_string(max_reply_bytes) + " bytes";
      return nullptr;
    }
  }
}

}  // namespace

std::string Address::ToString() const {
  switch (scheme) {
    case Scheme::kUnix:
      return "unix://" + socket_path;
    case Scheme::kTls:
      return "rediss://" + host + ":" + std::to_string(port);
    case Scheme::kTcp:
      break;
  }
  return "redis://" + host + ":" + std::to_string(port);
}

std::optional<Address> ParseAddress(std::string_view text, std::string& error) {
  Address address;
  std::string_view rest = text;
  if (rest.starts_with("unix://")) {
    address.scheme = Address::Scheme::kUnix;
    address.socket_path = std::string(rest.substr(7));
    if (address.socket_path.empty() || address.socket_path.front() != '/') {
      error = "a unix socket address must be unix:///absolute/path";
      return std::nullopt;
    }
    return address;
  }
  if (rest.starts_with("redis://")) {
    rest.remove_prefix(8);
  } else if (rest.starts_with("rediss://")) {
    address.scheme = Address::Scheme::kTls;
    rest.remove_prefix(9);
  } else if (rest.find("://") != std::string_view::npos) {
    error = "must start with redis://, rediss:// or unix://";
    return std::nullopt;
  }
  if (rest.find('@') != std::string_view::npos) {
    error = "credentials do not belong in the address; use username and password_file";
    return std::nullopt;
  }
  if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
    rest = rest.substr(0, slash);  // a database number changes nothing for INFO
  }
  std::string_view port_text;
  if (rest.starts_with("[")) {  // [ipv6]:port
    const auto close = rest.find(']');
    if (close == std::string_view::npos) {
      error = "unbalanced [ in IPv6 address";
      return std::nullopt;
    }
    address.host = std::string(rest.substr(1, close - 1));
    if (close + 1 < rest.size() && rest[close + 1] == ':') port_text = rest.substr(close + 2);
  } else {
    const auto colon = rest.rfind(':');
    address.host = std::string(rest.substr(0, colon));
    if (colon != std::string_view::npos) port_text = rest.substr(colon + 1);
  }
  if (address.host.empty()) {
    error = "has no host";
    return std::nullopt;
  }
  if (!port_text.empty()) {
    const auto [end, parse_error] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), address.port);
    if (parse_error != std::errc() || end != port_text.data() + port_text.size() ||
        address.port < 1 || address.port > 65535) {
      error = "port must be a number from 1 to 65535";
      return std::nullopt;
    }
  }
  return address;
}

void Client::ContextDeleter::operator()(redisContext* context) const { redisFree(context); }

Client::Client(Address address, Credentials credentials, TlsConfig tls, size_t max_reply_bytes)
    : address_(std::move(address)),
      credentials_(std::move(credentials)),
      tls_options_(std::move(tls)),
      max_reply_bytes_(max_reply_bytes) {}

Error Client::Failure(std::string operation, std::string phase, std::string detail) const {
  return Error{.operation = std::move(operation),
               .resource = address_.ToString(),
               .phase = std::move(phase),
               .detail = std::move(detail)};
}

Client::~Client() = default;

void Client::Disconnect() {
  connection_.reset();
  tls_.reset();
}

bool Client::Connect(const ScrapeContext& context, Error& error) {
  if (address_.scheme == Address::Scheme::kTls) {
    tls_ = std::make_unique<TlsStream>();
    std::string problem;
    bool timed_out = false;
    if (!tls_->Connect(address_.host, address_.port, tls_options_, context.deadline, problem,
                       timed_out)) {
      error = Failure("connect", timed_out ? "timeout" : "tls", problem);
      tls_.reset();
      return false;
    }
  } else {
    const timeval timeout = ToTimeval(context.Remaining());
    redisContext* raw =
        address_.scheme == Address::Scheme::kUnix
            ? redisConnectUnixWithTimeout(address_.socket_path.c_str(), timeout)
            : redisConnectWithTimeout(address_.host.c_str(), address_.port, timeout);
    connection_.reset(raw);
    if (raw == nullptr) {
      error = Failure("connect", "other", "out of memory");
      return false;
    }
    if (raw->err != 0) {
      const bool timed_out =
          raw->err == REDIS_ERR_IO && (errno == ETIMEDOUT || errno == EINPROGRESS);
      error = Failure("connect", timed_out ? "timeout" : "connect", raw->errstr);
      connection_.reset();
      return false;
    }
  }
  if (credentials_.password) {
    std::vector<std::string> auth = {"AUTH"};
    if (!credentials_.username.empty()) auth.push_back(credentials_.username);
    auth.push_back(*credentials_.password);
    std::string server_error;
    if (!Command(context, auth, error, &server_error)) {
      if (!server_error.empty()) {
        // WRONGPASS / ERR invalid password: say so without echoing anything secret.
        error = Failure("AUTH", "auth", server_error);
      }
      Disconnect();
      return false;
    }
  }
  return true;
}

std::optional<std::string> Client::Command(const ScrapeContext& context,
                                           const std::vector<std::string>& arguments, Error& error,
                                           std::string* server_error) {
  if (context.Expired()) {
    error = Failure(arguments.front(), "timeout", "deadline passed");
    Disconnect();
    return std::nullopt;
  }
  std::unique_ptr<redisReply, ReplyDeleter> reply;
  std::string io_error;
  bool timed_out = false;
  if (tls_) {
    reply.reset(
        tls_->RoundTrip(arguments, context.deadline, max_reply_bytes_, io_error, timed_out));
  } else {
    reply.reset(
        RoundTrip(connection_.get(), arguments, context, max_reply_bytes_, io_error, timed_out));
  }
  if (!reply) {
    error = timed_out ? Failure(arguments.front(), "timeout", "no reply before the deadline")
                      : Failure(arguments.front(), "read", io_error);
    Disconnect();
    return std::nullopt;
  }
  switch (reply->type) {
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
      return std::string(reply->str, reply->len);
    case REDIS_REPLY_ERROR: {
      const std::string message(reply->str, reply->len);
      if (server_error != nullptr) {
        *server_error = message;
      } else {
        error = Failure(arguments.front(), "server_error", message);
      }
      return std::nullopt;
    }
    case REDIS_REPLY_ARRAY:
      // CONFIG GET answers [name, value].
      if (reply->elements == 2 && reply->element[1]->type == REDIS_REPLY_STRING) {
        return std::string(reply->element[1]->str, reply->element[1]->len);
      }
      if (server_error != nullptr) *server_error = "empty reply";
      return std::nullopt;
    default:
      error = Failure(arguments.front(), "parse", "unexpected reply type");
      return std::nullopt;
  }
}

std::optional<Snapshot> Client::Fetch(const ScrapeContext& context, Error& error) {
  if (!Connected() && !Connect(context, error)) return std::nullopt;
  Snapshot snapshot;
  auto info = Command(context, {"INFO", "ALL"}, error, nullptr);
  if (!info) {
    // A kept connection may have been closed by the server (timeout, restart): one fresh try.
    if (!Connected() && !context.Expired() && Connect(context, error)) {
      info = Command(context, {"INFO", "ALL"}, error, nullptr);
    }
    if (!info) return std::nullopt;
  }
  snapshot.info = std::move(*info);
  // CONFIG is often denied by ACLs or renamed away on managed Redis: then these stay unknown.
  std::string ignored;
  snapshot.maxclients = Command(context, {"CONFIG", "GET", "maxclients"}, error, &ignored);
  if (!Connected()) return std::nullopt;
  snapshot.maxmemory = Command(context, {"CONFIG", "GET", "maxmemory"}, error, &ignored);
  if (!Connected()) return std::nullopt;
  error = Error{};
  return snapshot;
}

}  // namespace ooe::redis
