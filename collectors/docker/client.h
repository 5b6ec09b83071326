// The Engine API transport (Docker and Podman's compatible service): GET only, over a unix
// socket or tcp:// (TLS optional), every container's inspect and stats in flight at once.
#pragma once

#include <chrono>
#include <future>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/collector.h"
#include "collectors/docker/cgroup_reader.h"
#include "collectors/docker/inspect_cache.h"
#include "collectors/docker/parser.h"
#include "collectors/http/client.h"

namespace ooe::docker {

// Where the engine listens: unix:///path, tcp://host:port (https when `tls`), http(s)://.
struct Endpoint {
  std::string host;         // as configured, for messages and the default target label
  std::string unix_socket;  // set for unix://
  std::string base_url;     // "http://localhost" for a socket, else the scheme://host:port
};

// Parses `host` (DOCKER_HOST syntax); nullopt with `error` set when malformed.
std::optional<Endpoint> ParseEndpoint(std::string_view host, bool tls, std::string& error);

// The newest Engine API version this collector speaks (one-shot stats need 1.41).
inline constexpr std::string_view kMaxApiVersion = "1.41";
// The oldest: /containers/ID/stats with online_cpus (1.27); older engines are refused.
inline constexpr std::string_view kMinApiVersion = "1.27";

// min(server, ours) as "major.minor"; nullopt when the server's version is older than ours.
// An empty or unparsable server version gives "" (unversioned paths: the server's own).
std::optional<std::string> NegotiateApiVersion(std::string_view server_version);

struct ClientOptions {
  Endpoint endpoint;
  TlsOptions tls;
  std::vector<std::string> label_filters;  // "key=value" or "key", ANDed by the engine
  std::optional<std::regex> name_regex;    // applied here to the name without '/'
  size_t max_containers = 300;
  size_t max_body_bytes = size_t{4} << 20;
  // Podman: the longest an inspect reply is reused for (limits changed by `podman update` show
  // within it); 0 inspects every container every scrape. Docker inspects every scrape anyway.
  std::chrono::milliseconds inspect_max_age = std::chrono::seconds(60);
  // Set: running containers' usage is read from their cgroup files (the engine's stats only for
  // those whose files cannot be read); unset: from the engine's stats.
  std::optional<CgroupOptions> cgroups;
};

// One selected container: what the list said, and what inspect and stats answered.
struct ContainerReading {
  ContainerSummary summary;
  std::optional<ContainerInspect> inspect;
  std::optional<ContainerStats> stats;  // running and paused containers only
  bool stats_from_cgroup = false;       // read from its cgroup files, not the engine's stats
};

struct Snapshot {
  VersionInfo version;
  std::string api_version;  // negotiated; "" when the engine's own is used
  EngineInfo info;
  std::vector<ContainerReading> containers;
  size_t skipped = 0;  // selected but left out by max_containers
};

// Usage read from cgroup files ahead of the engine's list: by container id, with the process
// it was read through.
using EarlyCgroupReads = std::map<std::string, std::pair<long long, ContainerStats>, std::less<>>;

class Client {
 public:
  explicit Client(ClientOptions options);

  // Reads the snapshot by the context's deadline. Returns nullopt with `error` set when the
  // engine cannot be read at all; otherwise the snapshot, with `error` naming the first
  // per-container failure (and how many more) when some inspect or stats reply was bad.
  std::optional<Snapshot> Fetch(const ScrapeContext& context, std::string& error);

  std::string Describe() const { return options_.endpoint.host; }

 private:
  struct Reply {
    std::optional<std::string> body;  // set on HTTP 2xx
    long status = 0;
    std::string error;  // one line when no body
  };

  HttpRequest Request(const std::string& path) const;
  // Turns a response into a body or one line "GET <host> <path>: <what went wrong>".
  Reply Check(const std::string& path, const HttpResponse& response) const;
  // `path` with the label filters as the engine's filters parameter.
  std::string WithFilters(std::string path) const;
  std::string InspectPath(const std::string& id) const;
  // The list's containers that name_regex and max_containers let through, into `snapshot`.
  // The container list in `reply`, or nullopt with `error` set (a failed request also forgets
  // the negotiated version).
  std::optional<std::vector<ContainerSummary>> ReadList(const std::string& path, const Reply& reply,
                                                        std::string& error);
  void Select(std::vector<ContainerSummary> list, Snapshot& snapshot) const;
  bool InfoDue() const;
  // With cgroups on, reads the usage of every listed container that has usage (running or
  // paused) from its cgroup files. Returns the indexes of those still without usage: all of
  // them with cgroups off, else those whose files could not be read.
  // `early`: what StartEarlyCgroupReads() read, used where the container's process is the same.
  std::vector<size_t> ReadCgroups(Snapshot& snapshot, std::future<EarlyCgroupReads>& early);
  // Reads the cgroup files of the previous scrape's containers on another thread, while this
  // thread waits for the engine's replies (100 containers: about 40 ms of file reads, mostly in
  // the kernel); an invalid future when there is nothing to read.
  std::future<EarlyCgroupReads> StartEarlyCgroupReads() const;
  // The networks of containers whose usage came from their cgroup files, once their inspect
  // (which says whether the network namespace is their own) is known.
  void ReadCgroupNetworks(Snapshot& snapshot) const;
  // Whether the next scrape should ask the engine for stats along with its first requests: with
  // cgroups off, or when some container's files could not be read in this one.
  bool EngineStatsExpected() const { return !cgroup_reader_ || cgroup_failures_.value_or(0) > 0; }
  void ReadInfo(const std::string& path, const HttpResponse& response);

  // Docker (and Podman behind a proxy that allows only the Docker paths): the list, then every
  // container's inspect and stats at once.
  std::optional<Snapshot> FetchCompatible(const ScrapeContext& context, Snapshot snapshot,
                                          std::string& error);
  // Podman: the libpod list and stats report (every container in one reply each) with the
  // inspects that are due, then inspects only of containers the list shows changed. `refused`
  // when a proxy answered 403 or 404 to a libpod path.
  std::optional<Snapshot> FetchLibpod(const ScrapeContext& context, Snapshot snapshot,
                                      std::string& error, bool& refused);

  ClientOptions options_;
  HttpClient http_;
  std::optional<VersionInfo> version_;  // negotiated once, again after a failure
  std::string api_prefix_;              // "/v1.41" or ""
  // Podman's libpod list and stats report; false once refused (a socket proxy that allows only
  // the Docker paths), then the compatible requests.
  bool podman_libpod_ = true;
  InspectCache inspect_cache_;
  std::optional<CgroupReader> cgroup_reader_;
  std::optional<size_t> cgroup_failures_;  // in the last scrape; unset before the first
  std::vector<std::pair<std::string, long long>> cgroup_processes_;  // id, pid read last scrape
  std::optional<EngineInfo> info_;  // /info, kept for kInfoLifetime
  Clock::time_point info_read_at_;
  static constexpr std::chrono::minutes kInfoLifetime{5};
};

}  // namespace ooe::docker
