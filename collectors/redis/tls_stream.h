// Redis over TLS (rediss://). Debian 12's hiredis (0.14) has no TLS, so this speaks RESP through
// OpenSSL itself and keeps hiredis for the protocol: redisFormatCommandArgv and redisReader.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/deadline.h"
#include "collectors/tls_config.h"

struct redisReply;

namespace ooe::redis {

class TlsStream {
 public:
  TlsStream();
  ~TlsStream();
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  // TCP connect and TLS handshake (certificate and host name verified unless
  // tls.insecure_skip_verify), all by `deadline`.
  bool Connect(const std::string& host, int port, const TlsConfig& tls, Clock::time_point deadline,
               std::string& error, bool& timed_out);

  // Sends one command and reads its reply by `deadline`. nullptr with `error` set on failure;
  // `timed_out` tells a missed deadline from a broken connection.
  redisReply* RoundTrip(const std::vector<std::string>& arguments, Clock::time_point deadline,
                        size_t max_reply_bytes, std::string& error, bool& timed_out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ooe::redis
