#include "collectors/docker/client.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "collectors/docker/podman_stats.h"
#include "collectors/log.h"

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

Client::Client(ClientOptions options)
    : options_(std::move(options)), inspect_cache_(options_.inspect_max_age) {
  if (options_.cgroups) cgroup_reader_.emplace(*options_.cgroups);
}

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

std::string Client::WithFilters(std::string path) const {
  if (!options_.label_filters.empty()) {
    nlohmann::json filters;
    filters["label"] = options_.label_filters;
    path += "&filters=" + PercentEncode(filters.dump());
  }
  return path;
}

std::string Client::InspectPath(const std::string& id) const {
  return api_prefix_ + "/containers/" + id + "/json";
}

std::optional<std::vector<ContainerSummary>> Client::ReadList(const std::string& path,
                                                              const Reply& reply,
                                                              std::string& error) {
  if (!reply.body) {
    version_.reset();  // the engine may have been replaced by another version
    error = reply.error;
    return std::nullopt;
  }
  auto list = ParseContainerList(*reply.body);
  if (!list) {
    error = "GET " + options_.endpoint.host + " " + path + ": " + list.error;
    return std::nullopt;
  }
  return std::move(*list.value);
}

void Client::Select(std::vector<ContainerSummary> list, Snapshot& snapshot) const {
  for (auto& summary : list) {
    if (options_.name_regex && !std::regex_search(summary.name, *options_.name_regex)) continue;
    if (snapshot.containers.size() >= options_.max_containers) {
      ++snapshot.skipped;
      continue;
    }
    snapshot.containers.push_back(ContainerReading{std::move(summary), std::nullopt, std::nullopt});
  }
}

// /info only adds the host's cores and memory, and costs Podman about 0.2 s of CPU: read it with
// the containers, and again only every few minutes.
bool Client::InfoDue() const { return !info_ || Clock::now() - info_read_at_ > kInfoLifetime; }

void Client::ReadInfo(const std::string& path, const HttpResponse& response) {
  // A proxy may forbid /info: then the stats' online_cpus stand in for the host's cores.
  if (const auto reply = Check(path, response); reply.body) {
    if (auto info = ParseEngineInfo(*reply.body)) {
      info_ = *info.value;
      info_read_at_ = Clock::now();
    }
  }
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
  if (podman_libpod_ && version_->engine == "podman" && !version_->version.empty()) {
    bool refused = false;
    auto fetched = FetchLibpod(context, snapshot, error, refused);
    if (!refused) return fetched;
    // A socket proxy that allows only the Docker paths: the compatible requests from now on,
    // starting with this scrape.
    podman_libpod_ = false;
    error.clear();
  }
  return FetchCompatible(context, std::move(snapshot), error);
}

namespace {

bool HasStats(const ContainerSummary& summary) {
  return summary.state == "running" || summary.state == "paused";
}

// The failed requests of one scrape: the first is reported, with how many more.
class Problems {
 public:
  void Add(std::string problem) {
    if (count_++ == 0) first_ = std::move(problem);
  }
  void Report(std::string& error) const {
    if (count_ == 0) return;
    error = first_;
    if (count_ > 1) error += " (and " + std::to_string(count_ - 1) + " more failed requests)";
  }

 private:
  size_t count_ = 0;
  std::string first_;
};

void RemoveVanished(Snapshot& snapshot, const std::vector<bool>& vanished) {
  std::vector<ContainerReading> kept;
  kept.reserve(snapshot.containers.size());
  for (size_t i = 0; i < snapshot.containers.size(); ++i) {
    if (!vanished[i]) kept.push_back(std::move(snapshot.containers[i]));
  }
  snapshot.containers = std::move(kept);
}

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

std::future<EarlyCgroupReads> Client::StartEarlyCgroupReads() const {
  if (!cgroup_reader_ || cgroup_processes_.empty()) return {};
  return std::async(std::launch::async, [reader = &*cgroup_reader_, processes = cgroup_processes_] {
    EarlyCgroupReads early;
    std::string why;
    for (const auto& [id, pid] : processes) {
      if (auto stats = reader->Read(id, pid, why)) {
        early.emplace(id, std::pair{pid, std::move(*stats)});
      }
    }
    return early;
  });
}

namespace {

// The container's main process: libpod's list has it; Docker's only its inspect.
std::optional<long long> ProcessOf(const ContainerReading& reading) {
  if (reading.summary.pid) return reading.summary.pid;
  return reading.inspect ? reading.inspect->pid : std::nullopt;
}

}  // namespace

std::vector<size_t> Client::ReadCgroups(Snapshot& snapshot,
                                        std::future<EarlyCgroupReads>& early_reads) {
  EarlyCgroupReads early = early_reads.valid() ? early_reads.get() : EarlyCgroupReads();
  std::vector<size_t> without_usage;
  size_t failures = 0;
  std::string first_why;
  cgroup_processes_.clear();
  for (size_t i = 0; i < snapshot.containers.size(); ++i) {
    auto& reading = snapshot.containers[i];
    if (!HasStats(reading.summary)) continue;
    if (!cgroup_reader_) {
      without_usage.push_back(i);
      continue;
    }
    const auto pid = ProcessOf(reading);
    std::string why;
    std::optional<ContainerStats> stats;
    // Read through the same process the engine names now: the same container, still running.
    if (const auto found = early.find(reading.summary.id);
        found != early.end() && pid == found->second.first) {
      stats = std::move(found->second.second);
    } else {
      stats = cgroup_reader_->Read(reading.summary.id, pid.value_or(0), why);
    }
    if (stats) {
      cgroup_processes_.emplace_back(reading.summary.id, *pid);
      reading.stats = std::move(*stats);
      reading.stats_from_cgroup = true;
      continue;
    }
    if (failures++ == 0) first_why = std::move(why);
    without_usage.push_back(i);
  }
  if (cgroup_reader_ && (!cgroup_failures_ || (failures > 0) != (*cgroup_failures_ > 0))) {
    // Logged when it changes, not every scrape: an exporter in a container without the host's
    // /proc (or PID namespace) falls back for good, which is worth one line, not one a scrape.
    if (failures > 0) {
      Log(LogLevel::kInfo, "docker: usage from the engine's stats: cannot read cgroup files",
          {{"host", options_.endpoint.host},
           {"containers", std::to_string(failures)},
           {"first", first_why}});
    } else {
      Log(LogLevel::kInfo, "docker: usage from cgroup files",
          {{"host", options_.endpoint.host},
           {"proc_root", cgroup_reader_->Options().proc_root},
           {"cgroup_root", cgroup_reader_->Options().cgroup_root}});
    }
  }
  cgroup_failures_ = failures;
  return without_usage;
}

void Client::ReadCgroupNetworks(Snapshot& snapshot) const {
  if (!cgroup_reader_) return;
  for (auto& reading : snapshot.containers) {
    if (!reading.stats_from_cgroup || !reading.stats || !reading.inspect) continue;
    // As the engines report them: none of its own under --network host or container:ID.
    const std::string& mode = reading.inspect->network_mode;
    if (mode == "host" || mode.rfind("container:", 0) == 0) continue;
    reading.stats->networks = cgroup_reader_->ReadNetworks(ProcessOf(reading).value_or(0));
  }
}

std::optional<Snapshot> Client::FetchCompatible(const ScrapeContext& context, Snapshot snapshot,
                                                std::string& error) {
  auto early_cgroups = StartEarlyCgroupReads();
  const std::string list_path = WithFilters(api_prefix_ + "/containers/json?all=1");
  const auto list_reply = Check(list_path, http_.Perform(Request(list_path), context.deadline));
  auto list = ReadList(list_path, list_reply, error);
  if (!list) return std::nullopt;
  Select(std::move(*list), snapshot);

  // Every inspect at once. Docker's list has nothing that tells when an inspect has changed (its
  // Status says "Up 3 seconds"), so every container is inspected every scrape. Usage comes from
  // the cgroup files, whose process id is in the inspect; the engine's stats are asked for with
  // the inspects only when they are expected (cgroups off, or files unreadable last scrape),
  // else afterwards for the containers whose files could not be read. Each stats call waits for
  // the engine's 1-second sampling tick (Docker), so they are all in flight at once; one-shot
  // (API 1.41+) waits for one sample instead of two.
  const auto negotiated = SplitVersion(snapshot.api_version);
  const bool one_shot = negotiated && *negotiated >= std::make_pair(1, 41);
  auto stats_path = [&](const std::string& id) {
    return api_prefix_ + "/containers/" + id + "/stats?stream=false" +
           (one_shot ? "&one-shot=true" : "");
  };
  const bool stats_with_inspects = EngineStatsExpected();
  std::vector<std::string> paths;
  std::vector<std::pair<size_t, bool>> owners;  // container index, is stats
  for (size_t i = 0; i < snapshot.containers.size(); ++i) {
    const auto& summary = snapshot.containers[i].summary;
    paths.push_back(InspectPath(summary.id));
    owners.emplace_back(i, false);
    if (stats_with_inspects && HasStats(summary)) {
      paths.push_back(stats_path(summary.id));
      owners.emplace_back(i, true);
    }
  }
  std::vector<HttpRequest> requests;
  requests.reserve(paths.size() + 1);
  for (const auto& path : paths) requests.push_back(Request(path));
  const std::string info_path = api_prefix_ + "/info";
  const bool read_info = InfoDue();
  if (read_info) requests.push_back(Request(info_path));
  auto responses = http_.PerformAll(requests, context.deadline);
  if (read_info) ReadInfo(info_path, responses.back());
  if (info_) snapshot.info = *info_;

  Problems problems;
  std::vector<bool> vanished(snapshot.containers.size(), false);
  auto take = [&](const std::string& path, const HttpResponse& response, size_t index,
                  bool is_stats) {
    auto& reading = snapshot.containers[index];
    const auto reply = Check(path, response);
    if (reply.status == 404) {
      vanished[index] = true;  // removed since the list: not a failure
      return;
    }
    if (!reply.body) {
      problems.Add(reply.error);
    } else if (is_stats) {
      auto stats = ParseStats(*reply.body);
      if (stats) {
        reading.stats = std::move(*stats.value);
      } else {
        problems.Add("GET " + options_.endpoint.host + " " + path + ": " + stats.error);
      }
    } else {
      auto inspect = ParseInspect(*reply.body);
      if (inspect) {
        reading.inspect = std::move(*inspect.value);
      } else {
        problems.Add("GET " + options_.endpoint.host + " " + path + ": " + inspect.error);
      }
    }
  };
  for (size_t r = 0; r < paths.size(); ++r) {
    take(paths[r], responses[r], owners[r].first, owners[r].second);
  }
  RemoveVanished(snapshot, vanished);

  // Containers without an inspect (it failed) have no process id, and go to the engine too.
  auto stats_due = ReadCgroups(snapshot, early_cgroups);
  if (stats_with_inspects) stats_due.clear();  // asked for already
  if (!stats_due.empty()) {
    std::vector<std::string> late_paths;
    std::vector<HttpRequest> late_requests;
    for (const size_t i : stats_due) {
      late_paths.push_back(stats_path(snapshot.containers[i].summary.id));
      late_requests.push_back(Request(late_paths.back()));
    }
    const auto late_responses = http_.PerformAll(late_requests, context.deadline);
    vanished.assign(snapshot.containers.size(), false);
    for (size_t r = 0; r < late_paths.size(); ++r) {
      take(late_paths[r], late_responses[r], stats_due[r], true);
    }
    RemoveVanished(snapshot, vanished);
  }
  ReadCgroupNetworks(snapshot);
  problems.Report(error);
  return snapshot;
}

std::optional<Snapshot> Client::FetchLibpod(const ScrapeContext& context, Snapshot snapshot,
                                            std::string& error, bool& refused) {
  const auto start = Clock::now();
  // Both libpod replies cover every container at once. Podman's compatible list is the same
  // list without the state facts that say whether a kept inspect still holds, and costs Podman
  // more; its compatible stats take one request per container, each reading the cgroup and
  // inspecting the container again (100 containers: a quarter of the engine's CPU).
  const std::string libpod = "/v" + version_->version + "/libpod/containers";
  const std::string list_path = WithFilters(libpod + "/json?all=true");
  const std::string stats_path = libpod + "/stats?stream=false";
  const std::string info_path = api_prefix_ + "/info";
  const bool read_info = InfoDue();
  const auto due = inspect_cache_.Due(start);
  // The report when the engine's stats are expected; else only for containers whose cgroup
  // files cannot be read, after the list.
  const bool report_with_list = EngineStatsExpected();
  std::vector<HttpRequest> requests = {Request(list_path)};
  if (report_with_list) requests.push_back(Request(stats_path));
  const size_t info_index = requests.size();
  if (read_info) requests.push_back(Request(info_path));
  const size_t first_due = requests.size();
  for (const auto& id : due) requests.push_back(Request(InspectPath(id)));
  auto early_cgroups = StartEarlyCgroupReads();
  auto responses = http_.PerformAll(requests, context.deadline);
  const double first_round_seconds = SecondsSince(start);

  const auto list_reply = Check(list_path, responses[0]);
  auto is_refusal = [](const Reply& reply) { return reply.status == 403 || reply.status == 404; };
  if (is_refusal(list_reply) || (report_with_list && is_refusal(Check(stats_path, responses[1])))) {
    refused = true;
    return std::nullopt;
  }
  auto list = ReadList(list_path, list_reply, error);
  if (!list) return std::nullopt;
  if (read_info) ReadInfo(info_path, responses[info_index]);
  if (info_) snapshot.info = *info_;
  Select(std::move(*list), snapshot);

  Problems problems;
  std::map<std::string, ContainerStats, std::less<>> report_stats;
  // The report covers stopped containers too, with zeros: as with the compatible endpoint, only
  // running and paused containers have usage (ReadCgroups returns only those).
  auto take_report = [&](const HttpResponse& response, const std::vector<size_t>& containers) {
    const auto reply = Check(stats_path, response);
    if (!reply.body) {
      problems.Add(reply.error);  // the inspect data still stands
      return;
    }
    auto report = ParsePodmanStats(*reply.body);
    if (!report) {
      problems.Add("GET " + options_.endpoint.host + " " + stats_path + ": " + report.error);
      return;
    }
    for (auto& entry : *report.value) {
      report_stats.emplace(std::move(entry.id), std::move(entry.stats));
    }
    for (const size_t i : containers) {
      auto& reading = snapshot.containers[i];
      if (const auto found = report_stats.find(reading.summary.id); found != report_stats.end()) {
        reading.stats = std::move(found->second);
      }
    }
  };
  const auto cgroups_start = Clock::now();
  const auto without_usage = ReadCgroups(snapshot, early_cgroups);
  const double cgroups_seconds = SecondsSince(cgroups_start);
  if (report_with_list) take_report(responses[1], without_usage);
  std::map<std::string_view, const HttpResponse*> due_reply;
  for (size_t d = 0; d < due.size(); ++d) due_reply.emplace(due[d], &responses[first_due + d]);

  const auto now = Clock::now();
  std::vector<size_t> changed;  // containers to inspect now
  size_t kept = 0;
  for (size_t i = 0; i < snapshot.containers.size(); ++i) {
    auto& reading = snapshot.containers[i];
    const auto& summary = reading.summary;
    const bool limit_changed =
        reading.stats && inspect_cache_.MemoryLimitChanged(summary.id, reading.stats->memory_limit);
    if (const auto found = due_reply.find(summary.id); found != due_reply.end()) {
      // Read with the list, so it may predate it: used only when it shows the listed state.
      if (const auto reply = Check(InspectPath(summary.id), *found->second); reply.body) {
        auto inspect = ParseInspect(*reply.body);
        if (inspect && !limit_changed && InspectMatchesList(*inspect.value, summary)) {
          inspect_cache_.Store(summary.id, *inspect.value, now);
          reading.inspect = std::move(*inspect.value);
          continue;
        }
      }
    } else if (!limit_changed) {
      // `start`, when Due() was asked: an inspect that fell due since is read at the next scrape.
      if (const auto* kept_inspect = inspect_cache_.Find(summary, start)) {
        reading.inspect = *kept_inspect;
        ++kept;
        continue;
      }
    }
    changed.push_back(i);
  }

  std::vector<HttpRequest> inspect_requests;
  inspect_requests.reserve(changed.size());
  for (const size_t i : changed) {
    inspect_requests.push_back(Request(InspectPath(snapshot.containers[i].summary.id)));
  }
  const bool late_report = !report_with_list && !without_usage.empty();
  if (late_report) inspect_requests.push_back(Request(stats_path));
  const auto second_round_start = Clock::now();
  const auto inspect_responses = inspect_requests.empty()
                                     ? std::vector<HttpResponse>()
                                     : http_.PerformAll(inspect_requests, context.deadline);
  const double second_round_seconds = SecondsSince(second_round_start);
  if (late_report) take_report(inspect_responses.back(), without_usage);
  std::vector<bool> vanished(snapshot.containers.size(), false);
  for (size_t c = 0; c < changed.size(); ++c) {
    auto& reading = snapshot.containers[changed[c]];
    const std::string& id = reading.summary.id;
    const std::string path = InspectPath(id);
    const auto reply = Check(path, inspect_responses[c]);
    if (reply.status == 404) {
      vanished[changed[c]] = true;  // removed since the list: not a failure
      continue;
    }
    if (!reply.body) {
      inspect_cache_.Forget(id);
      problems.Add(reply.error);
      continue;
    }
    auto inspect = ParseInspect(*reply.body);
    if (!inspect) {
      inspect_cache_.Forget(id);
      problems.Add("GET " + options_.endpoint.host + " " + path + ": " + inspect.error);
      continue;
    }
    inspect_cache_.Store(id, *inspect.value, Clock::now());
    reading.inspect = std::move(*inspect.value);
  }
  RemoveVanished(snapshot, vanished);

  std::set<std::string> listed;
  for (const auto& reading : snapshot.containers) {
    listed.insert(reading.summary.id);
    // Not for a running container whose usage could not be read: its last limit still stands.
    if (reading.stats || !HasStats(reading.summary)) {
      inspect_cache_.SeeMemoryLimit(reading.summary.id,
                                    reading.stats ? reading.stats->memory_limit : std::nullopt);
    }
  }
  inspect_cache_.Retain(listed);
  Log(LogLevel::kDebug, "docker: libpod scrape",
      {{"host", options_.endpoint.host},
       {"containers", std::to_string(snapshot.containers.size())},
       {"inspects_kept", std::to_string(kept)},
       {"inspects_due", std::to_string(due.size())},
       {"inspects_changed", std::to_string(changed.size())},
       {"usage_from_engine", std::to_string(without_usage.size())},
       {"first_round_seconds", std::to_string(first_round_seconds)},
       {"cgroups_seconds", std::to_string(cgroups_seconds)},
       {"second_round_seconds", std::to_string(second_round_seconds)}});
  ReadCgroupNetworks(snapshot);
  problems.Report(error);
  return snapshot;
}

}  // namespace ooe::docker
