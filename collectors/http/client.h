// The one HTTP client every collector uses (Document Server, RabbitMQ, Docker over its unix
// socket): deadlines, a size cap, TLS, basic auth, and many requests in flight on one thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/deadline.h"
#include "base/error.h"
#include "collectors/tls_config.h"

namespace ooe {

inline constexpr size_t kDefaultMaxBodyBytes = size_t{16} << 20;

struct HttpRequest {
  std::string url;
  std::string method = "GET";
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
  std::string unix_socket;  // when set, the connection goes to this socket (Docker Engine API)
  TlsConfig tls;
  std::string username;  // basic auth when not empty
  std::string password;
  size_t max_body_bytes = kDefaultMaxBodyBytes;
  // When not zero and shorter than what is left of the deadline, the request's own limit (a
  // probe that must not take the whole scrape, such as /healthcheck behind a hung database).
  std::chrono::milliseconds timeout{0};
  // When set, body bytes are handed here as they arrive instead of being kept in
  // HttpResponse::body, so a streaming parser needs no copy of the whole reply. Returning false
  // aborts the transfer (HttpFailure::kAborted).
  std::function<bool(std::string_view chunk)> on_body;
  // https: report the certificates the server presented (their earliest expiry) and whether
  // they verified, even when verification is off.
  bool inspect_certificate = false;
};

// What an https server presented, when HttpRequest::inspect_certificate asked for it.
struct CertificateReport {
  std::optional<double> earliest_expiry;  // unix seconds; unset when the chain was not seen
  // The chain verified against the configured CAs (OpenSSL's result, kept even when verification
  // was off; the host name is checked by curl only when verification is on).
  bool verified = false;
};

// Where a request failed, in blackbox_exporter's terms.
enum class HttpFailure {
  kNone,
  kResolve,   // DNS resolution (a NetworkPolicy blocking DNS looks like this)
  kConnect,   // refused or unreachable
  kTimeout,   // the deadline passed: no answer, or not all of it
  kTls,       // handshake or certificate verification
  kTooLarge,  // the body passed max_body_bytes
  kAborted,   // on_body returned false
  kOther,
};

// A short, stable name for `failure`: "resolve", "connect", "timeout", "tls", "too_large" ...
std::string_view FailurePhaseName(HttpFailure failure);

struct HttpTimings {  // seconds from the start of the request, as curl measures them
  double resolve = 0;
  double connect = 0;
  double tls = 0;
  double first_byte = 0;
  double total = 0;
};

struct HttpResponse {
  long status = 0;  // 0 when no HTTP answer came
  std::string body;
  std::string content_type;
  HttpFailure failure = HttpFailure::kNone;
  Error error;  // set when failure is not kNone: the method, the URL, the phase and why
  HttpTimings timings;
  size_t body_bytes = 0;  // also counted when streamed through on_body
  // Set for an https request that asked for it and got as far as the handshake. A connection
  // kept from an earlier request presents nothing again: then unset.
  std::optional<CertificateReport> certificate;

  bool Ok() const { return failure == HttpFailure::kNone; }
};

class HttpClient {
 public:
  HttpClient();
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // One request; returns by `deadline` whatever the server does.
  HttpResponse Perform(const HttpRequest& request, Clock::time_point deadline);

  // All requests in flight at once on this thread (libcurl's multi interface); answers in the
  // order of `requests`. Every transfer ends by `deadline`.
  std::vector<HttpResponse> PerformAll(const std::vector<HttpRequest>& requests,
                                       Clock::time_point deadline);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// `url` with any user:password@ removed, for logs and the landing page.
std::string RedactUrl(std::string_view url);

// An error about `request`: its method and its URL without credentials or query string (long
// column lists and tokens are noise in a log line).
Error RequestError(const HttpRequest& request, std::string phase, std::string detail = {},
                   std::string hint = {});

// The error for an answer with a status other than the one wanted (phase http_status).
Error StatusError(const HttpRequest& request, const HttpResponse& response, std::string hint = {});

// RFC 3986 percent-encoding of everything but the unreserved characters: a query value or a
// path segment (a vhost, a regex, a JSON filter) as the URL must carry it.
std::string PercentEncode(std::string_view text);

}  // namespace ooe
