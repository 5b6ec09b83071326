#include "collectors/http/client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <stdexcept>

#include "collectors/http/certificate.h"

namespace ooe {
namespace {

struct EasyDeleter {
  void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

// One transfer's state; lives until its handle leaves the multi handle.
struct Transfer {
  const HttpRequest* request = nullptr;
  HttpResponse response;
  std::unique_ptr<CURL, EasyDeleter> easy;
  std::unique_ptr<curl_slist, SlistDeleter> headers;
  std::unique_ptr<curl_slist, SlistDeleter> connect_to;
  std::string url;  // the URL handed to curl (tls_config.server_name may rewrite its host)
  char error_buffer[CURL_ERROR_SIZE] = {};
  bool too_large = false;
  bool aborted = false;
  bool done = false;
  bool own_timeout = false;  // the request's timeout, not the deadline, limits it
};

size_t WriteBody(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const size_t bytes = size * count;
  if (transfer->response.body_bytes + bytes > transfer->request->max_body_bytes) {
    transfer->too_large = true;
    return 0;
  }
  transfer->response.body_bytes += bytes;
  if (transfer->request->on_body) {
    if (!transfer->request->on_body(std::string_view(data, bytes))) {
      transfer->aborted = true;
      return 0;
    }
  } else {
    transfer->response.body.append(data, bytes);
  }
  return bytes;
}

long RemainingMs(Clock::time_point deadline) {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<long>(std::max<long long>(left, 1));
}

// tls_config.server_name, as Prometheus applies it: the TLS name sent and verified is
// `server_name`, while the connection still goes to the URL's host and the Host header names it.
// curl has no option for that alone: the URL's host becomes the server name, and CONNECT_TO
// sends the connection where the URL pointed.
void ApplyServerName(Transfer& transfer, std::vector<std::string>& extra_headers) {
  const HttpRequest& request = *transfer.request;
  const std::string_view url = request.url;
  const auto scheme_end = url.find("://");
  if (request.tls.server_name.empty() || scheme_end == std::string_view::npos ||
      url.substr(0, scheme_end) != "https") {
    return;
  }
  const auto authority_start = scheme_end + 3;
  const auto authority_end = std::min(url.find_first_of("/?#", authority_start), url.size());
  const std::string authority(url.substr(authority_start, authority_end - authority_start));
  const auto port_colon = authority.rfind(':');
  const bool has_port = port_colon != std::string::npos && authority.back() != ']';
  const std::string host = has_port ? authority.substr(0, port_colon) : authority;
  const std::string port = has_port ? authority.substr(port_colon + 1) : "443";
  transfer.url =
      "https://" + request.tls.server_name + ":" + port + std::string(url.substr(authority_end));
  const std::string route = request.tls.server_name + ":" + port + ":" + host + ":" + port;
  transfer.connect_to.reset(curl_slist_append(nullptr, route.c_str()));
  curl_easy_setopt(transfer.easy.get(), CURLOPT_CONNECT_TO, transfer.connect_to.get());
  extra_headers.push_back("Host: " + authority);
}

void Configure(Transfer& transfer, Clock::time_point deadline) {
  const HttpRequest& request = *transfer.request;
  CURL* easy = transfer.easy.get();
  transfer.url = request.url;
  std::vector<std::string> extra_headers;
  ApplyServerName(transfer, extra_headers);
  curl_easy_setopt(easy, CURLOPT_URL, transfer.url.c_str());
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  long timeout_ms = RemainingMs(deadline);
  if (request.timeout.count() > 0 && request.timeout.count() < timeout_ms) {
    timeout_ms = static_cast<long>(request.timeout.count());
    transfer.own_timeout = true;
  }
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, transfer.error_buffer);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &WriteBody);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(easy, CURLOPT_MAXFILESIZE_LARGE,
                   static_cast<curl_off_t>(request.max_body_bytes));
  curl_easy_setopt(easy, CURLOPT_USERAGENT, "onlyoffice-exporter");
  curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");  // whatever curl can decode
  if (!request.unix_socket.empty()) {
    curl_easy_setopt(easy, CURLOPT_UNIX_SOCKET_PATH, request.unix_socket.c_str());
  }
  if (request.method == "GET" && request.body.empty()) {
    curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
  } else {
    // POSTFIELDS sends the body (and makes the request a POST); CUSTOMREQUEST then names the
    // real method (PUT, DELETE ...).
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.c_str());
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
    if (request.method != "POST") {
      curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }
  }
  curl_slist* list = nullptr;
  for (const auto& header : request.headers) list = curl_slist_append(list, header.c_str());
  for (const auto& header : extra_headers) list = curl_slist_append(list, header.c_str());
  transfer.headers.reset(list);
  if (list != nullptr) curl_easy_setopt(easy, CURLOPT_HTTPHEADER, list);
  if (!request.username.empty()) {
    curl_easy_setopt(easy, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(easy, CURLOPT_USERNAME, request.username.c_str());
    curl_easy_setopt(easy, CURLOPT_PASSWORD, request.password.c_str());
  }
  if (request.inspect_certificate) curl_easy_setopt(easy, CURLOPT_CERTINFO, 1L);
  const TlsConfig& tls = request.tls;
  if (!tls.ca_file.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, tls.ca_file.c_str());
  if (!tls.cert_file.empty()) curl_easy_setopt(easy, CURLOPT_SSLCERT, tls.cert_file.c_str());
  if (!tls.key_file.empty()) curl_easy_setopt(easy, CURLOPT_SSLKEY, tls.key_file.c_str());
  if (tls.insecure_skip_verify) {
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
  }
}

HttpFailure Classify(CURLcode code) {
  switch (code) {
    case CURLE_OK:
      return HttpFailure::kNone;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return HttpFailure::kResolve;
    case CURLE_COULDNT_CONNECT:
      return HttpFailure::kConnect;
    case CURLE_OPERATION_TIMEDOUT:
      return HttpFailure::kTimeout;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_USE_SSL_FAILED:
      return HttpFailure::kTls;
    case CURLE_FILESIZE_EXCEEDED:
      return HttpFailure::kTooLarge;
    default:
      return HttpFailure::kOther;
  }
}

std::string FailureDetail(const Transfer& transfer, CURLcode code) {
  const HttpRequest& request = *transfer.request;
  switch (transfer.response.failure) {
    case HttpFailure::kTooLarge:
      return "reply larger than the limit of " + std::to_string(request.max_body_bytes) + " bytes";
    case HttpFailure::kAborted:
      return "reply rejected while reading it";
    case HttpFailure::kTimeout: {
      std::string detail = "no complete reply ";
      if (transfer.own_timeout) {
        detail += "within its " + std::to_string(request.timeout.count()) + " ms timeout";
      } else {
        detail += "before the deadline";
      }
      return detail + " (" + std::to_string(transfer.response.body_bytes) + " bytes received)";
    }
    case HttpFailure::kConnect: {
      // curl's own text ("Couldn't connect to server") hides whether the port is closed, the
      // host unreachable or a unix socket missing; the system's reason does not.
      long os_errno = 0;
      curl_easy_getinfo(transfer.easy.get(), CURLINFO_OS_ERRNO, &os_errno);
      return std::string("connect: ") +
             (os_errno != 0 ? std::strerror(static_cast<int>(os_errno)) : curl_easy_strerror(code));
    }
    default: {
      const std::string detail =
          transfer.error_buffer[0] != '\0' ? transfer.error_buffer : curl_easy_strerror(code);
      // curl's "transfer closed with N bytes remaining to read" does not say it is the server's
      // doing: the connection ended before the Content-Length it announced.
      return code == CURLE_PARTIAL_FILE ? "reply cut short: " + detail : detail;
    }
  }
}

double InfoSeconds(CURL* easy, CURLINFO info) {
  curl_off_t microseconds = 0;
  curl_easy_getinfo(easy, info, &microseconds);
  return static_cast<double>(microseconds) / 1e6;
}

std::optional<CertificateReport> ReadCertificate(CURL* easy) {
  curl_certinfo* info = nullptr;
  if (curl_easy_getinfo(easy, CURLINFO_CERTINFO, &info) != CURLE_OK || info == nullptr ||
      info->num_of_certs <= 0) {
    return std::nullopt;
  }
  std::vector<std::vector<std::string_view>> chain(static_cast<size_t>(info->num_of_certs));
  for (int i = 0; i < info->num_of_certs; ++i) {
    for (curl_slist* field = info->certinfo[i]; field != nullptr; field = field->next) {
      chain[static_cast<size_t>(i)].emplace_back(field->data);
    }
  }
  CertificateReport report;
  report.earliest_expiry = EarliestExpiry(chain);
  // OpenSSL verifies the chain even when curl was told not to insist; the result is kept.
  long verify_result = -1;
  curl_easy_getinfo(easy, CURLINFO_SSL_VERIFYRESULT, &verify_result);
  report.verified = verify_result == 0;
  return report;
}

void Finish(Transfer& transfer, CURLcode code) {
  HttpResponse& response = transfer.response;
  CURL* easy = transfer.easy.get();
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &response.status);
  const char* content_type = nullptr;
  curl_easy_getinfo(easy, CURLINFO_CONTENT_TYPE, &content_type);
  if (content_type != nullptr) response.content_type = content_type;
  response.timings.resolve = InfoSeconds(easy, CURLINFO_NAMELOOKUP_TIME_T);
  response.timings.connect = InfoSeconds(easy, CURLINFO_CONNECT_TIME_T);
  response.timings.tls = InfoSeconds(easy, CURLINFO_APPCONNECT_TIME_T);
  response.timings.first_byte = InfoSeconds(easy, CURLINFO_STARTTRANSFER_TIME_T);
  response.timings.total = InfoSeconds(easy, CURLINFO_TOTAL_TIME_T);
  if (transfer.request->inspect_certificate) {
    response.certificate = ReadCertificate(easy);
  }

  response.failure = Classify(code);
  // A resolver that never answers (a NetworkPolicy dropping DNS) ends in a timeout before the
  // name resolved: that is a DNS problem, not a slow server.
  if (response.failure == HttpFailure::kTimeout && response.timings.resolve == 0 &&
      transfer.request->unix_socket.empty()) {
    response.failure = HttpFailure::kResolve;
  }
  if (transfer.too_large) response.failure = HttpFailure::kTooLarge;
  if (transfer.aborted) response.failure = HttpFailure::kAborted;
  if (response.failure == HttpFailure::kNone) return;
  response.error = RequestError(*transfer.request, std::string(FailurePhaseName(response.failure)),
                                FailureDetail(transfer, code));
}

}  // namespace

std::string_view FailurePhaseName(HttpFailure failure) {
  switch (failure) {
    case HttpFailure::kNone:
      return "none";
    case HttpFailure::kResolve:
      return "resolve";
    case HttpFailure::kConnect:
      return "connect";
    case HttpFailure::kTimeout:
      return "timeout";
    case HttpFailure::kTls:
      return "tls";
    case HttpFailure::kTooLarge:
      return "too_large";
    case HttpFailure::kAborted:
      return "aborted";
    case HttpFailure::kOther:
      return "other";
  }
  return "other";
}

std::string RedactUrl(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  const auto authority_start = scheme_end + 3;
  const auto authority_end = url.find_first_of("/?#", authority_start);
  const auto authority = url.substr(authority_start, authority_end == std::string_view::npos
                                                         ? std::string_view::npos
                                                         : authority_end - authority_start);
  const auto at = authority.rfind('@');
  if (at == std::string_view::npos) return std::string(url);
  return std::string(url.substr(0, authority_start)) +
         std::string(url.substr(authority_start + at + 1));
}

Error RequestError(const HttpRequest& request, std::string phase, std::string detail,
                   std::string hint) {
  return Error{.operation = request.method,
               .resource = RedactUrl(request.url.substr(0, request.url.find('?'))),
               .phase = std::move(phase),
               .detail = std::move(detail),
               .hint = std::move(hint)};
}

Error StatusError(const HttpRequest& request, const HttpResponse& response, std::string hint) {
  Error error = RequestError(request, "http_status", {}, std::move(hint));
  error.status = response.status;
  return error;
}

struct HttpClient::Impl {
  // The multi handle keeps the connection cache, so keep-alive connections (and TLS sessions)
  // survive from one scrape to the next.
  CURLM* multi = nullptr;
};

HttpClient::HttpClient() : impl_(std::make_unique<Impl>()) {
  // curl_global_init is not thread-safe: it runs once, when the configuration builds the first
  // client, before any scrape thread exists.
  static const CURLcode kGlobalInit = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (kGlobalInit != CURLE_OK) {
    throw std::runtime_error(std::string("curl_global_init failed: ") +
                             curl_easy_strerror(kGlobalInit));
  }
  impl_->multi = curl_multi_init();
}

HttpClient::~HttpClient() { curl_multi_cleanup(impl_->multi); }

HttpResponse HttpClient::Perform(const HttpRequest& request, Clock::time_point deadline) {
  auto responses = PerformAll({request}, deadline);
  return std::move(responses.front());
}

std::vector<HttpResponse> HttpClient::PerformAll(const std::vector<HttpRequest>& requests,
                                                 Clock::time_point deadline) {
  std::vector<Transfer> transfers(requests.size());
  CURLM* multi = impl_->multi;
  for (size_t i = 0; i < requests.size(); ++i) {
    Transfer& transfer = transfers[i];
    transfer.request = &requests[i];
    transfer.easy.reset(curl_easy_init());
    Configure(transfer, deadline);
    curl_easy_setopt(transfer.easy.get(), CURLOPT_PRIVATE, &transfer);
    curl_multi_add_handle(multi, transfer.easy.get());
  }
  size_t remaining = transfers.size();
  while (remaining > 0) {
    int running = 0;
    curl_multi_perform(multi, &running);
    int queued = 0;
    while (CURLMsg* message = curl_multi_info_read(multi, &queued)) {
      if (message->msg != CURLMSG_DONE) continue;
      Transfer* transfer = nullptr;
      curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &transfer);
      Finish(*transfer, message->data.result);
      transfer->done = true;
      curl_multi_remove_handle(multi, message->easy_handle);
      --remaining;
    }
    if (remaining == 0) break;
    // Each transfer carries CURLOPT_TIMEOUT_MS, so curl ends it by the deadline itself; the
    // wait below only sleeps until there is something to do.
    curl_multi_poll(multi, nullptr, 0, static_cast<int>(std::min(RemainingMs(deadline), 1000L)),
                    nullptr);
  }
  std::vector<HttpResponse> responses;
  responses.reserve(transfers.size());
  for (auto& transfer : transfers) responses.push_back(std::move(transfer.response));
  return responses;
}

std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string encoded;
  for (const unsigned char c : text) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      encoded += static_cast<char>(c);
    } else {
      encoded += '%';
      encoded += kHex[c >> 4];
      encoded += kHex[c & 15];
    }
  }
  return encoded;
}

}  // namespace ooe
