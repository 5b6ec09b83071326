#include "collectors/redis/tls_stream.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "collectors/redis/client.h"

namespace ooe::redis {
namespace {

int RemainingMs(Clock::time_point deadline) {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::clamp<long long>(left, 0, 3'600'000));
}

// Waits until `fd` is ready for `events` or the deadline passes (false then).
bool WaitFor(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    pollfd waiting{fd, events, 0};
    const int ready = poll(&waiting, 1, RemainingMs(deadline));
    if (ready > 0) return true;
    if (ready == 0) return false;
    if (errno != EINTR) return false;
  }
}

std::string OpenSslError() {
  const unsigned long code = ERR_get_error();
  if (code == 0) return std::strerror(errno);
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  ERR_clear_error();
  return text;
}

}  // namespace

struct TlsStream::Impl {
  int fd = -1;
  SSL_CTX* context = nullptr;
  SSL* ssl = nullptr;
  redisReader* reader = nullptr;

  ~Impl() {
    if (ssl != nullptr) SSL_free(ssl);
    if (context != nullptr) SSL_CTX_free(context);
    if (fd >= 0) close(fd);
    if (reader != nullptr) redisReaderFree(reader);
  }

  // Drives an SSL call that may want to read or write until it completes or the deadline passes.
  template <typename Operation>
  int Drive(Operation operation, Clock::time_point deadline, bool& timed_out) {
    for (;;) {
      const int result = operation();
      if (result > 0) return result;
      const int reason = SSL_get_error(ssl, result);
      short events = 0;
      if (reason == SSL_ERROR_WANT_READ) events = POLLIN;
      if (reason == SSL_ERROR_WANT_WRITE) events = POLLOUT;
      if (events == 0) return result;
      if (!WaitFor(fd, events, deadline)) {
        timed_out = true;
        return -1;
      }
    }
  }
};

TlsStream::TlsStream() : impl_(std::make_unique<Impl>()) {}
TlsStream::~TlsStream() = default;

namespace {

// A TCP connection to the first address of `host` that answers by `deadline`; -1 with `error`.
int ConnectTcp(const std::string& host, int port, Clock::time_point deadline, std::string& error,
               bool& timed_out) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* addresses = nullptr;
  const std::string port_text = std::to_string(port);
  if (const int code = getaddrinfo(host.c_str(), port_text.c_str(), &hints, &addresses);
      code != 0) {
    error = std::string("resolve: ") + gai_strerror(code);
    return -1;
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> owned(addresses, &freeaddrinfo);
  error = "connect: no address";
  for (const addrinfo* address = addresses; address != nullptr; address = address->ai_next) {
    const int fd = socket(address->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    if (connect(fd, address->ai_addr, address->ai_addrlen) == 0 || errno == EINPROGRESS) {
      int socket_error = 0;
      socklen_t length = sizeof socket_error;
      if (!WaitFor(fd, POLLOUT, deadline)) {
        error = "connect: timed out";
        timed_out = true;
      } else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &socket_error, &length) == 0 &&
                 socket_error == 0) {
        return fd;
      } else {
        error = std::string("connect: ") + std::strerror(socket_error);
      }
    } else {
      error = std::string("connect: ") + std::strerror(errno);
    }
    close(fd);
  }
  return -1;
}

}  // namespace

bool TlsStream::Connect(const std::string& host, int port, const TlsConfig& tls,
                        Clock::time_point deadline, std::string& error, bool& timed_out) {
  impl_->fd = ConnectTcp(host, port, deadline, error, timed_out);
  if (impl_->fd < 0) return false;

  impl_->context = SSL_CTX_new(TLS_client_method());
  SSL_CTX* context = impl_->context;
  SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
  const bool loaded = tls.ca_file.empty() ? SSL_CTX_set_default_verify_paths(context) == 1
                                          : SSL_CTX_load_verify_locations(
                                                context, tls.ca_file.c_str(), nullptr) == 1;
  if (!loaded) {
    error = "TLS: cannot load CA file '" + tls.ca_file + "': " + OpenSslError();
    return false;
  }
  if (!tls.cert_file.empty() &&
      (SSL_CTX_use_certificate_chain_file(context, tls.cert_file.c_str()) != 1 ||
       SSL_CTX_use_PrivateKey_file(context, tls.key_file.c_str(), SSL_FILETYPE_PEM) != 1)) {
    error = "TLS: cannot load client certificate '" + tls.cert_file + "': " + OpenSslError();
    return false;
  }
  SSL_CTX_set_verify(context, tls.insecure_skip_verify ? SSL_VERIFY_NONE : SSL_VERIFY_PEER,
                     nullptr);
  impl_->ssl = SSL_new(context);
  SSL* ssl = impl_->ssl;
  SSL_set_fd(ssl, impl_->fd);
  // tls_config.server_name, as Prometheus uses it: the name sent and verified instead of the
  // address's host.
  const std::string& name = tls.server_name.empty() ? host : tls.server_name;
  in6_addr ip{};
  const bool is_ip =
      inet_pton(AF_INET, name.c_str(), &ip) == 1 || inet_pton(AF_INET6, name.c_str(), &ip) == 1;
  if (is_ip) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name.c_str());
  } else {
    SSL_set_tlsext_host_name(ssl, name.c_str());
    SSL_set1_host(ssl, name.c_str());
  }
  if (impl_->Drive([&] { return SSL_connect(ssl); }, deadline, timed_out) <= 0) {
    if (timed_out) {
      error = "TLS handshake: no answer before the deadline";
    } else {
      const long verify = SSL_get_verify_result(ssl);
      error = verify != X509_V_OK
                  ? std::string("TLS handshake: ") + X509_verify_cert_error_string(verify)
                  : "TLS handshake: " + OpenSslError();
    }
    return false;
  }
  impl_->reader = redisReaderCreate();
  return true;
}

redisReply* TlsStream::RoundTrip(const std::vector<std::string>& arguments,
                                 Clock::time_point deadline, size_t max_reply_bytes,
                                 std::string& error, bool& timed_out) {
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  for (const auto& argument : arguments) {
    argv.push_back(argument.data());
    lengths.push_back(argument.size());
  }
  char* command = nullptr;
  const int length =
      redisFormatCommandArgv(&command, static_cast<int>(argv.size()), argv.data(), lengths.data());
  if (length < 0) {
    error = "out of memory";
    return nullptr;
  }
  std::unique_ptr<char, decltype(&redisFreeCommand)> owned(command, &redisFreeCommand);
  int sent = 0;
  while (sent < length) {
    const int wrote = impl_->Drive(
        [&] { return SSL_write(impl_->ssl, command + sent, length - sent); }, deadline, timed_out);
    if (wrote <= 0) {
      error = timed_out ? "no reply before the deadline" : "write: " + OpenSslError();
      return nullptr;
    }
    sent += wrote;
  }
  char buffer[16384];
  for (;;) {
    void* reply = nullptr;
    if (redisReaderGetReply(impl_->reader, &reply) != REDIS_OK) {
      error = std::string("protocol error: ") + impl_->reader->errstr;
      return nullptr;
    }
    if (reply != nullptr) return static_cast<redisReply*>(reply);
    const int got = impl_->Drive([&] { return SSL_read(impl_->ssl, buffer, sizeof buffer); },
                                 deadline, timed_out);
    if (got <= 0) {
      error = timed_out ? "no reply before the deadline" : "connection closed by the server";
      return nullptr;
    }
    redisReaderFeed(impl_->reader, buffer, static_cast<size_t>(got));
    if (impl_->reader->len > max_reply_bytes) {
      error = "reply larger than the limit of " + std::to_string(max_reply_bytes) + " bytes";
      return nullptr;
    }
  }
}

}  // namespace ooe::redis
