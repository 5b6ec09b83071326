#include "collectors/docker/client.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>

#include "collectors/docker/podman_stats.h"

namespace ooe::docker {
namespace {

std::optional<std::pair<int, int>> SplitVersion(std::string_view text) {
  int major = 0;
  int minor = 0;
  const char* end = text.data() + text.size();
  auto [after_major, error] = std::from_chars(text.data(), end, major);
  if (error != std::errc() || after_major == end || *after_major != '.') return std::nullopt;
  auto [after_minor, minor_error] = std::from_chars(after_major + 1, end, minor);
  if (minor_error != std::errc() || after_minor != end) return std::nullopt;
  return std::make_pair(major, minor);
}

std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string encoded;
  for (const unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      encoded += static_cast<char>(c);
    } else {
      encoded += '%';
      encoded += kHex[c >> 4];
      encoded += kHex[c & 15];
    }
  }
  return encoded;
}

// curl says only "Couldn't connect to server" for a unix socket; connecting once more here gives
// the errno that tells a missing mount from a permission problem from a stopped engine.
std::string DiagnoseUnixSocket(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof(address.sun_path)) return "connect: socket path too long";
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::string("connect: ") + std::strerror(errno);
  const int result = connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address));
  const int error = result == 0 ? 0 : errno;
  close(fd);
  std::string reason = std::string("connect: ") + (error ? std::strerror(error) : "failed");
  switch (error) {
    case ENOENT:
      return reason + ": is the Docker socket mounted?";
    case EACCES:
    case EPERM:
      return reason + ": give the exporter access to the socket (e.g. the docker group)";
    case ECONNREFUSED:
      return reason + ": is the engine running?";
    default:
      return reason;
  }
}

}  // namespace

std::optional<Endpoint> ParseEndpoint(std::string_view host, bool tls, std::string& error) {
  Endpoint endpoint;
  endpoint.host = std::string(host);
  auto starts_with = [&](std::string_view prefix) {
    return host.substr(0, prefix.size()) == prefix;
  };
  if (starts_with("unix://")) {
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
  if (starts_with("tcp://")) {
    authority = host.substr(6);
    scheme = tls ? "https" : "http";
  } else if (starts_with("http://")) {
    authority = host.substr(7);
    scheme = "http";
  } else if (starts_with("https://")) {
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
  if (!has_port && starts_with("tcp://")) authority_text += tls ? ":2376" : ":2375";
  endpoint.base_url = scheme + "://" + authority_text;
  return endpoint;
}

std::optional<std::string> NegotiateApiVersion(std::string_view server_version) {
  const auto server = SplitVersion(server_version);
  if (!server) return std::string();
  const auto newest = *SplitVersion(kMaxApiVersion);
  const auto oldest = *SplitVersion(kMinApiVersion);
  if (*server < oldest) return std::nullopt;
  const auto chosen = std::min(*server, newest);
  return std::to_string(chosen.first) + "." + std::to_string(chosen.second);
}

Client::Client(ClientOptions options) : options_(std::move(options)) {}

HttpRequest Client::Request(const std::string& path) const {
  HttpRequest request;
  request.url = options_.endpoint.base_url + path;
  request.unix_socket = options_.endpoint.unix_socket;
  request.tls = options_.tls;
  request.max_body_bytes = options_.max_body_bytes;
  return request;
}

Client::Reply Client::Check(const std::string& path, const HttpResponse& response) const {
  Reply reply;
  reply.status = response.status;
  const std::string where = "GET " + options_.endpoint.host + " " + path + ": ";
  if (!response.Ok()) {
    if (response.failure == HttpFailure::kConnect && !options_.endpoint.unix_socket.empty()) {
      reply.error = where + DiagnoseUnixSocket(options_.endpoint.unix_socket);
      return reply;
    }
    // The client's error starts with "GET <url>: "; keep what follows.
    std::string detail = response.error;
    if (const auto colon = detail.find(": "); colon != std::string::npos) {
      detail = detail.substr(colon + 2);
    }
    switch (response.failure) {
      case HttpFailure::kConnect:
        detail += ": is the engine (or its proxy) listening there?";
        break;
      case HttpFailure::kTooLarge:
        detail += ": raise max_body_size";
        break;
      case HttpFailure::kTls:
        detail += ": check tls_ca_file, tls_cert_file and tls_key_file";
        break;
      default:
        break;
    }
    reply.error = where + detail;
    return reply;
  }
  if (response.status < 200 || response.status > 299) {
    std::string message = ErrorMessage(response.body);
    reply.error = where + "HTTP " + std::to_string(response.status);
    if (!message.empty()) reply.error += ": " + message;
    if (response.status == 403) reply.error += ": does the socket proxy allow this GET?";
    if (response.status == 401) reply.error += ": the engine or proxy wants credentials";
    return reply;
  }
  reply.body = response.body;
  return reply;
}

std::string Client::ContainersPath() const {
  std::string path = api_prefix_ + "/containers/json?all=1";
  if (!options_.label_filters.empty()) {
    nlohmann::json filters;
    filters["label"] = options_.label_filters;
    path += "&filters=" + PercentEncode(filters.dump());
  }
  return path;
}

std::optional<Snapshot> Client::Fetch(const ScrapeContext& context, std::string& error) {
  if (!version_) {
    const std::string path = "/version";
    const auto reply = Check(path, http_.Perform(Request(path), context.deadline));
    if (!reply.body) {
      error = reply.error;
      return std::nullopt;
    }
    auto version = ParseVersion(*reply.body);
    if (!version) {
      error = "GET " + options_.endpoint.host + " " + path + ": " + version.error;
      return std::nullopt;
    }
    const auto negotiated = NegotiateApiVersion(version->api_version);
    if (!negotiated) {
      error = "GET " + options_.endpoint.host + " " + path + ": engine API " +
              version->api_version + " is older than " + std::string(kMinApiVersion) +
              ", the oldest this exporter speaks";
      return std::nullopt;
    }
    api_prefix_ = negotiated->empty() ? "" : "/v" + *negotiated;
    version_ = std::move(*version);
  }

  Snapshot snapshot;
  snapshot.version = *version_;
  snapshot.api_version = api_prefix_.empty() ? "" : api_prefix_.substr(2);

  const std::string list_path = ContainersPath();
  const auto list_reply = Check(list_path, http_.Perform(Request(list_path), context.deadline));
  if (!list_reply.body) {
    version_.reset();  // the engine may have been replaced by another version
    error = list_reply.error;
    return std::nullopt;
  }
  auto list = ParseContainerList(*list_reply.body);
  if (!list) {
    error = "GET " + options_.endpoint.host + " " + list_path + ": " + list.error;
    return std::nullopt;
  }

  for (auto& summary : *list.value) {
    if (options_.name_regex && !std::regex_search(summary.name, *options_.name_regex)) continue;
    if (snapshot.containers.size() >= options_.max_containers) {
      ++snapshot.skipped;
      continue;
    }
    snapshot.containers.push_back(ContainerReading{std::move(summary), std::nullopt, std::nullopt});
  }

  // Every inspect and every stats request at once: each stats call waits for the engine's
  // 1-second sampling tick (Docker), so one after another would take a second per container.
  // one-shot=true (API 1.41+) waits for one sample instead of two.
  const auto negotiated = SplitVersion(snapshot.api_version);
  const bool one_shot = negotiated && *negotiated >= std::make_pair(1, 41);
  // Podman's compatible stats endpoint reads the container's cgroup and inspects it again for
  // every request; its libpod report carries the same numbers for all running containers at
  // once (100 containers: 1 request instead of 100, and a quarter of the engine's CPU).
  const bool batch_stats =
      podman_batch_stats_ && version_->engine == "podman" && !version_->version.empty();
  const std::string batch_path = "/v" + version_->version + "/libpod/containers/stats?stream=false";
  std::vector<std::string> paths;
  std::vector<std::pair<size_t, bool>> owners;  // container index, is stats
  // /info only adds the host's cores and memory, and costs Podman about 0.2 s of CPU: read it
  // with the containers, and again only every few minutes.
  const std::string info_path = api_prefix_ + "/info";
  const bool read_info = !info_ || Clock::now() - info_read_at_ > kInfoLifetime;
  auto add_stats_path = [&](size_t index) {
    paths.push_back(api_prefix_ + "/containers/" + snapshot.containers[index].summary.id +
                    "/stats?stream=false" + (one_shot ? "&one-shot=true" : ""));
    owners.emplace_back(index, true);
  };
  auto has_stats = [](const ContainerSummary& summary) {
    return summary.state == "running" || summary.state == "paused";
  };
  for (size_t i = 0; i < snapshot.containers.size(); ++i) {
    const auto& summary = snapshot.containers[i].summary;
    paths.push_back(api_prefix_ + "/containers/" + summary.id + "/json");
    owners.emplace_back(i, false);
    if (!batch_stats && has_stats(summary)) add_stats_path(i);
  }
  std::vector<HttpRequest> requests;
  requests.reserve(paths.size() + 2);
  for (const auto& path : paths) requests.push_back(Request(path));
  if (batch_stats) requests.push_back(Request(batch_path));
  if (read_info) requests.push_back(Request(info_path));
  auto responses = http_.PerformAll(requests, context.deadline);
  if (read_info) {
    // A proxy may forbid /info: then the stats' online_cpus stand in for the host's cores.
    if (const auto info_reply = Check(info_path, responses.back()); info_reply.body) {
      if (auto info = ParseEngineInfo(*info_reply.body)) {
        info_ = *info.value;
        info_read_at_ = Clock::now();
      }
    }
    responses.pop_back();
  }
  if (info_) snapshot.info = *info_;
  std::string batch_problem;
  if (batch_stats) {
    const auto reply = Check(batch_path, responses.back());
    responses.pop_back();
    if (reply.body) {
      auto report = ParsePodmanStats(*reply.body);
      if (!report) {
        batch_problem = "GET " + options_.endpoint.host + " " + batch_path + ": " + report.error;
      } else {
        // The report covers stopped containers too, with zeros: as with the compatible
        // endpoint, only running and paused containers have usage.
        std::map<std::string_view, size_t> index_of;
        for (size_t i = 0; i < snapshot.containers.size(); ++i) {
          if (has_stats(snapshot.containers[i].summary)) {
            index_of.emplace(snapshot.containers[i].summary.id, i);
          }
        }
        for (auto& entry : *report.value) {
          if (const auto found = index_of.find(entry.id); found != index_of.end()) {
            snapshot.containers[found->second].stats = std::move(entry.stats);
          }
        }
      }
    } else if (reply.status == 403 || reply.status == 404) {
      // A socket proxy that allows only the Docker paths: per-container stats from now on,
      // starting with this scrape.
      podman_batch_stats_ = false;
      const size_t inspects = paths.size();
      for (size_t i = 0; i < snapshot.containers.size(); ++i) {
        if (has_stats(snapshot.containers[i].summary)) add_stats_path(i);
      }
      std::vector<HttpRequest> stats_requests;
      for (size_t r = inspects; r < paths.size(); ++r) stats_requests.push_back(Request(paths[r]));
      auto stats_responses = http_.PerformAll(stats_requests, context.deadline);
      for (auto& response : stats_responses) responses.push_back(std::move(response));
    } else {
      batch_problem = reply.error;  // the inspect data still stands
    }
  }

  std::string first_problem = batch_problem;
  size_t problems = batch_problem.empty() ? 0 : 1;
  std::vector<bool> vanished(snapshot.containers.size(), false);
  for (size_t r = 0; r < responses.size(); ++r) {
    const auto [index, is_stats] = owners[r];
    auto& reading = snapshot.containers[index];
    const auto reply = Check(paths[r], responses[r]);
    std::string problem;
    if (reply.status == 404) {
      vanished[index] = true;  // removed since the list: not a failure
      continue;
    }
    if (!reply.body) {
      problem = reply.error;
    } else if (is_stats) {
      auto stats = ParseStats(*reply.body);
      if (stats) {
        reading.stats = std::move(*stats.value);
      } else {
        problem = "GET " + options_.endpoint.host + " " + paths[r] + ": " + stats.error;
      }
    } else {
      auto inspect = ParseInspect(*reply.body);
      if (inspect) {
        reading.inspect = std::move(*inspect.value);
      } else {
        problem = "GET " + options_.endpoint.host + " " + paths[r] + ": " + inspect.error;
      }
    }
    if (!problem.empty()) {
      if (problems++ == 0) first_problem = std::move(problem);
    }
  }
  std::vector<ContainerReading> kept;
  kept.reserve(snapshot.containers.size());
  for (size_t i = 0; i < snapshot.containers.size(); ++i) {
    if (!vanished[i]) kept.push_back(std::move(snapshot.containers[i]));
  }
  snapshot.containers = std::move(kept);
  if (problems > 0) {
    error = first_problem;
    if (problems > 1) error += " (and " + std::to_string(problems - 1) + " more failed requests)";
  }
  return snapshot;
}

}  // namespace ooe::docker
