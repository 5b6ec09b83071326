#include "collectors/http/client.h"

#include <algorithm>
#include <cstring>

#include "collectors/http/curl_library.h"

namespace ooe {
namespace {

struct EasyDeleter {
  void operator()(CURL* easy) const { Curl().easy_cleanup(easy); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { Curl().slist_free_all(list); }
};

// One transfer's state; lives until its handle leaves the multi handle.
struct Transfer {
  const HttpRequest* request = nullptr;
  HttpResponse response;
  std::unique_ptr<CURL, EasyDeleter> easy;
  std::unique_ptr<curl_slist, SlistDeleter> headers;
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

void Configure(Transfer& transfer, Clock::time_point deadline) {
  const HttpRequest& request = *transfer.request;
  CURL* easy = transfer.easy.get();
  Curl().easy_setopt(easy, CURLOPT_URL, request.url.c_str());
  Curl().easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  Curl().easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  long timeout_ms = RemainingMs(deadline);
  if (request.timeout.count() > 0 && request.timeout.count() < timeout_ms) {
    timeout_ms = static_cast<long>(request.timeout.count());
    transfer.own_timeout = true;
  }
  Curl().easy_setopt(easy, CURLOPT_TIMEOUT_MS, timeout_ms);
  Curl().easy_setopt(easy, CURLOPT_ERRORBUFFER, transfer.error_buffer);
  Curl().easy_setopt(easy, CURLOPT_WRITEFUNCTION, &WriteBody);
  Curl().easy_setopt(easy, CURLOPT_WRITEDATA, &transfer);
  Curl().easy_setopt(easy, CURLOPT_MAXFILESIZE_LARGE,
                     static_cast<curl_off_t>(request.max_body_bytes));
  Curl().easy_setopt(easy, CURLOPT_USERAGENT, "onlyoffice-exporter");
  Curl().easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");  // whatever curl can decode
  if (!request.unix_socket.empty()) {
    Curl().easy_setopt(easy, CURLOPT_UNIX_SOCKET_PATH, request.unix_socket.c_str());
  }
  if (request.method == "GET" && request.body.empty()) {
    Curl().easy_setopt(easy, CURLOPT_HTTPGET, 1L);
  } else {
    // POSTFIELDS sends the body (and makes the request a POST); CUSTOMREQUEST then names the
    // real method (PUT, DELETE ...).
    Curl().easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.c_str());
    Curl().easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
    if (request.method != "POST") {
      Curl().easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }
  }
  curl_slist* list = nullptr;
  for (const auto& header : request.headers) list = Curl().slist_append(list, header.c_str());
  transfer.headers.reset(list);
  if (list != nullptr) Curl().easy_setopt(easy, CURLOPT_HTTPHEADER, list);
  if (!request.username.empty()) {
    Curl().easy_setopt(easy, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    Curl().easy_setopt(easy, CURLOPT_USERNAME, request.username.c_str());
    Curl().easy_setopt(easy, CURLOPT_PASSWORD, request.password.c_str());
  }
  const TlsOptions& tls = request.tls;
  if (!tls.ca_file.empty()) Curl().easy_setopt(easy, CURLOPT_CAINFO, tls.ca_file.c_str());
  if (!tls.cert_file.empty()) Curl().easy_setopt(easy, CURLOPT_SSLCERT, tls.cert_file.c_str());
  if (!tls.key_file.empty()) Curl().easy_setopt(easy, CURLOPT_SSLKEY, tls.key_file.c_str());
  if (tls.insecure_skip_verify) {
    Curl().easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
    Curl().easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
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

double InfoSeconds(CURL* easy, CURLINFO info) {
  curl_off_t microseconds = 0;
  Curl().easy_getinfo(easy, info, &microseconds);
  return static_cast<double>(microseconds) / 1e6;
}

void Finish(Transfer& transfer, CURLcode code) {
  HttpResponse& response = transfer.response;
  CURL* easy = transfer.easy.get();
  Curl().easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &response.status);
  const char* content_type = nullptr;
  Curl().easy_getinfo(easy, CURLINFO_CONTENT_TYPE, &content_type);
  if (content_type != nullptr) response.content_type = content_type;
  response.timings.resolve = InfoSeconds(easy, CURLINFO_NAMELOOKUP_TIME_T);
  response.timings.connect = InfoSeconds(easy, CURLINFO_CONNECT_TIME_T);
  response.timings.tls = InfoSeconds(easy, CURLINFO_APPCONNECT_TIME_T);
  response.timings.first_byte = InfoSeconds(easy, CURLINFO_STARTTRANSFER_TIME_T);
  response.timings.total = InfoSeconds(easy, CURLINFO_TOTAL_TIME_T);

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

  // The query string stays out of messages: long column lists and tokens are noise there.
  const std::string& url = transfer.request->url;
  const std::string where =
      transfer.request->method + " " + RedactUrl(url.substr(0, url.find('?')));
  switch (response.failure) {
    case HttpFailure::kTooLarge:
      response.error = where + ": reply larger than the limit of " +
                       std::to_string(transfer.request->max_body_bytes) + " bytes";
      break;
    case HttpFailure::kAborted:
      response.error = where + ": reply rejected while reading it";
      break;
    case HttpFailure::kTimeout:
      response.error =
          where + ": no complete reply " +
          (transfer.own_timeout
               ? "within its " + std::to_string(transfer.request->timeout.count()) + " ms timeout"
               : std::string("before the deadline")) +
          " (" + std::to_string(response.body_bytes) + " bytes received)";
      break;
    case HttpFailure::kConnect: {
      // curl's own text ("Couldn't connect to server") hides whether the port is closed, the
      // host unreachable or a unix socket missing; the system's reason does not.
      long os_errno = 0;
      Curl().easy_getinfo(easy, CURLINFO_OS_ERRNO, &os_errno);
      response.error = where + ": connect: " +
                       (os_errno != 0 ? std::strerror(static_cast<int>(os_errno))
                                      : std::string(Curl().easy_strerror(code)));
      break;
    }
    default: {
      const std::string detail =
          transfer.error_buffer[0] != '\0' ? transfer.error_buffer : Curl().easy_strerror(code);
      // curl's "transfer closed with N bytes remaining to read" does not say it is the server's
      // doing: the connection ended before the Content-Length it announced.
      response.error =
          where + ": " + (code == CURLE_PARTIAL_FILE ? "reply cut short: " + detail : detail);
    }
  }
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

struct HttpClient::Impl {
  // The multi handle keeps the connection cache, so keep-alive connections (and TLS sessions)
  // survive from one scrape to the next.
  CURLM* multi = nullptr;
};

HttpClient::HttpClient() : impl_(std::make_unique<Impl>()) { impl_->multi = Curl().multi_init(); }

HttpClient::~HttpClient() { Curl().multi_cleanup(impl_->multi); }

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
    transfer.easy.reset(Curl().easy_init());
    Configure(transfer, deadline);
    Curl().easy_setopt(transfer.easy.get(), CURLOPT_PRIVATE, &transfer);
    Curl().multi_add_handle(multi, transfer.easy.get());
  }
  size_t remaining = transfers.size();
  while (remaining > 0) {
    int running = 0;
    Curl().multi_perform(multi, &running);
    int queued = 0;
    while (CURLMsg* message = Curl().multi_info_read(multi, &queued)) {
      if (message->msg != CURLMSG_DONE) continue;
      Transfer* transfer = nullptr;
      Curl().easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &transfer);
      Finish(*transfer, message->data.result);
      transfer->done = true;
      Curl().multi_remove_handle(multi, message->easy_handle);
      --remaining;
    }
    if (remaining == 0) break;
    // Each transfer carries CURLOPT_TIMEOUT_MS, so curl ends it by the deadline itself; the
    // wait below only sleeps until there is something to do.
    Curl().multi_poll(multi, nullptr, 0, static_cast<int>(std::min(RemainingMs(deadline), 1000L)),
                      nullptr);
  }
  std::vector<HttpResponse> responses;
  responses.reserve(transfers.size());
  for (auto& transfer : transfers) responses.push_back(std::move(transfer.response));
  return responses;
}

}  // namespace ooe
