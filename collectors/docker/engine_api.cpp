#include "collectors/docker/engine_api.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace ooe::docker {
namespace {

std::optional<std::pair<int, int>> SplitApiVersion(std::string_view text) {
  int major = 0;
  int minor = 0;
  const char* end = text.data() + text.size();
  auto [after_major, error] = std::from_chars(text.data(), end, major);
  if (error != std::errc() || after_major == end || *after_major != '.') return std::nullopt;
  auto [after_minor, minor_error] = std::from_chars(after_major + 1, end, minor);
  if (minor_error != std::errc() || after_minor != end) return std::nullopt;
  return std::make_pair(major, minor);
}

// curl says only "Couldn't connect to server" for a unix socket; connecting once more here gives
// the errno that tells a missing mount from a permission problem from a stopped engine.
std::pair<std::string, std::string> DiagnoseUnixSocket(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof(address.sun_path)) return {"connect: socket path too long", ""};
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return {std::string("connect: ") + std::strerror(errno), ""};
  const int result = connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address));
  const int error = result == 0 ? 0 : errno;
  close(fd);
  std::string reason = std::string("connect: ") + (error ? std::strerror(error) : "failed");
  switch (error) {
    case ENOENT:
      return {reason, "is the Docker socket mounted?"};
    case EACCES:
    case EPERM:
      return {reason, "give the exporter access to the socket (e.g. the docker group)"};
    case ECONNREFUSED:
      return {reason, "is the engine running?"};
    default:
      return {reason, ""};
  }
}

std::string_view FailureHint(HttpFailure failure) {
  switch (failure) {
    case HttpFailure::kConnect:
      return "is the engine (or its proxy) listening there?";
    case HttpFailure::kTooLarge:
      return "raise max_body_size";
    case HttpFailure::kTls:
      return "check tls_config's ca_file, cert_file and key_file";
    default:
      return "";
  }
}

}  // namespace

std::optional<Endpoint> ParseEndpoint(std::string_view host, bool tls, std::string& error) {
  Endpoint endpoint;
  endpoint.host = std::string(host);
  if (host.starts_with("unix://")) {
    endpoint.unix_socket = std::string(host.substr(7));
    if (endpoint.unix_socket.empty() || endpoint.unix_socket.front() != '/') {
      error = "must be unix:///absolute/path";
      return std::nullopt;
    }
    endpoint.base_url = "http://localhost";
    return endpoint;
  }
  std::string_view authority;
  std::string scheme;
  if (host.starts_with("tcp://")) {
    authority = host.substr(6);
    scheme = tls ? "https" : "http";
  } else if (host.starts_with("http://")) {
    authority = host.substr(7);
    scheme = "http";
  } else if (host.starts_with("https://")) {
    authority = host.substr(8);
    scheme = "https";
  } else {
    error = "must start with unix://, tcp://, http:// or https://";
    return std::nullopt;
  }
  while (!authority.empty() && authority.back() == '/') authority.remove_suffix(1);
  if (authority.empty() || authority.find_first_of("/?#@ ") != std::string_view::npos) {
    error = "needs host:port and nothing else";
    return std::nullopt;
  }
  // tcp://host without a port: the Docker CLI's defaults (2375 plain, 2376 TLS).
  std::string authority_text(authority);
  const bool has_port =
      authority_text.find(':') != std::string::npos && authority_text.back() != ']';
  if (!has_port && host.starts_with("tcp://")) authority_text += tls ? ":2376" : ":2375";
  endpoint.base_url = scheme + "://" + authority_text;
  return endpoint;
}

std::optional<std::string> NegotiateApiVersion(std::string_view server_version) {
  const auto server = SplitApiVersion(server_version);
  if (!server) return std::string();
  const auto newest = *SplitApiVersion(kMaxApiVersion);
  const auto oldest = *SplitApiVersion(kMinApiVersion);
  if (*server < oldest) return std::nullopt;
  const auto chosen = std::min(*server, newest);
  return std::to_string(chosen.first) + "." + std::to_string(chosen.second);
}

HttpEngineTransport::HttpEngineTransport(Endpoint endpoint, TlsConfig tls, size_t max_body_bytes,
                                         std::chrono::milliseconds timeout)
    : endpoint_(std::move(endpoint)),
      tls_(std::move(tls)),
      max_body_bytes_(max_body_bytes),
      timeout_(timeout) {}

std::vector<HttpResponse> HttpEngineTransport::GetAll(const std::vector<std::string>& paths,
                                                      Clock::time_point deadline) {
  std::vector<HttpRequest> requests(paths.size());
  for (size_t i = 0; i < paths.size(); ++i) {
    requests[i].url = endpoint_.base_url + paths[i];
    requests[i].unix_socket = endpoint_.unix_socket;
    requests[i].tls = tls_;
    requests[i].max_body_bytes = max_body_bytes_;
    requests[i].timeout = timeout_;
  }
  return http_.PerformAll(requests, deadline);
}

EngineApi::EngineApi(Endpoint endpoint, std::unique_ptr<EngineTransport> transport)
    : endpoint_(std::move(endpoint)), transport_(std::move(transport)) {}

Reply EngineApi::Check(const std::string& path, const HttpResponse& response) const {
  Reply reply;
  reply.status = response.status;
  reply.error = Error{.operation = "GET", .resource = endpoint_.host + " " + path};
  if (!response.Ok()) {
    reply.error.phase = response.error.phase;
    reply.error.detail = response.error.detail;
    reply.error.hint = std::string(FailureHint(response.failure));
    if (response.failure == HttpFailure::kConnect && !endpoint_.unix_socket.empty()) {
      std::tie(reply.error.detail, reply.error.hint) = DiagnoseUnixSocket(endpoint_.unix_socket);
    }
    return reply;
  }
  if (response.status < 200 || response.status > 299) {
    reply.error.phase = "http_status";
    reply.error.status = response.status;
    reply.error.detail = ErrorMessage(response.body);
    if (response.status == 403) reply.error.hint = "does the socket proxy allow this GET?";
    if (response.status == 401) reply.error.hint = "the engine or proxy wants credentials";
    return reply;
  }
  reply.body = response.body;
  reply.error = Error{};
  return reply;
}

Error EngineApi::ParseError(const std::string& path, std::string detail) const {
  return Error{.operation = "GET",
               .resource = endpoint_.host + " " + path,
               .phase = "parse",
               .detail = std::move(detail)};
}

std::vector<Reply> EngineApi::GetAll(const std::vector<std::string>& paths,
                                     Clock::time_point deadline) {
  std::vector<Reply> replies;
  if (paths.empty()) return replies;
  const auto responses = transport_->GetAll(paths, deadline);
  replies.reserve(paths.size());
  for (size_t i = 0; i < paths.size(); ++i) replies.push_back(Check(paths[i], responses[i]));
  return replies;
}

std::optional<Error> EngineApi::Negotiate(Clock::time_point deadline) {
  if (version_) return std::nullopt;
  const std::string path = "/version";
  auto reply = std::move(GetAll({path}, deadline).front());
  if (!reply.body) return reply.error;
  auto version = ParseVersion(*reply.body);
  if (!version) return ParseError(path, version.error);
  const auto negotiated = NegotiateApiVersion(version->api_version);
  if (!negotiated) {
    return ParseError(path, "engine API " + version->api_version + " is older than " +
                                std::string(kMinApiVersion) + ", the oldest this exporter speaks");
  }
  prefix_ = negotiated->empty() ? "" : "/v" + *negotiated;
  version_ = std::move(*version.value);
  return std::nullopt;
}

bool EngineApi::InfoDue() const {
  constexpr auto kInfoLifetime = std::chrono::minutes(5);
  return !info_ || info_expired_ || Clock::now() - info_read_at_ > kInfoLifetime;
}

void EngineApi::TakeInfo(const Reply& reply) {
  // A proxy may forbid /info: then the stats' online_cpus stand in for the host's cores.
  if (!reply.body) return;
  if (auto info = ParseEngineInfo(*reply.body)) {
    info_ = *info.value;
    info_read_at_ = Clock::now();
    info_expired_ = false;
    if (info_->system_time) clock_offset_ = *info_->system_time - UnixNow();
  }
}

}  // namespace ooe::docker
