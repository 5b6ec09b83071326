// Pure parsers of Docker Engine API replies (Docker and Podman's compatible API): /version,
// /info, /containers/json, /containers/ID/json and /containers/ID/stats, cgroup v1 and v2.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/parsed.h"

namespace ooe::docker {

// GET /version. Podman answers the Docker-compatible fields too ("ApiVersion": "1.41") and names
// itself in Components ("Podman Engine").
struct VersionInfo {
  std::string version;      // "20.10.24+dfsg1", "4.3.1"
  std::string api_version;  // "1.41"; empty when the reply has none
  std::string min_api_version;
  std::string engine;  // "docker" or "podman"
};
Parsed<VersionInfo> ParseVersion(std::string_view body);

// GET /info: the host facts the CPU-limit ratio needs, and the engine's clock.
struct EngineInfo {
  std::optional<double> cpus;          // NCPU
  std::optional<double> memory_bytes;  // MemTotal
  std::optional<double> system_time;   // SystemTime, unix seconds: its clock, for /events
};
Parsed<EngineInfo> ParseEngineInfo(std::string_view body);

// One element of GET /containers/json?all=1, or of Podman's GET /vX/libpod/containers/json?all=true
// (the same keys, plus the state facts below).
struct ContainerSummary {
  std::string id;
  std::string name;   // the first of Names, without its leading '/'
  std::string image;  // as the container was created from ("localhost/busybox:test")
  std::string state;  // "running", "exited", "paused" ...
  // libpod: the health status ("healthy", "unhealthy", "starting", "" without a check); Docker's
  // list: "Up 3 seconds (healthy)", which changes every second.
  std::string status;
  // libpod only (unix seconds, as Go's Time.Unix(); nullopt for Go's zero time, i.e. never): a
  // restart, an exit or a new process changes one of them.
  std::optional<long long> started_at, exited_at, exit_code, pid;
  std::map<std::string, std::string> labels;
};
Parsed<std::vector<ContainerSummary>> ParseContainerList(std::string_view body);

// A file system mounted into the container: Mounts (volumes and binds) and HostConfig.Tmpfs.
struct ContainerMount {
  std::string type;         // "volume", "bind", "tmpfs" (others as the engine names them)
  std::string volume;       // the volume's name, a bind's host path; empty for tmpfs
  std::string destination;  // where the container sees it: absolute, without ".."
};

// GET /containers/ID/json, the parts the metrics need.
struct ContainerInspect {
  std::string id;
  std::string name;
  std::string image;   // Config.Image
  std::string status;  // State.Status: created, running, paused, restarting, removing, exited, dead
  bool oom_killed = false;
  std::optional<double> exit_code;
  std::optional<double> restart_count;
  std::optional<double> started_at_seconds;   // unix time; absent when never started
  std::optional<double> finished_at_seconds;  // absent while it never finished
  // The same in whole seconds, as Podman's libpod list gives them, and State.Pid (0 when not
  // running): what tells whether a kept inspect still describes the container.
  std::optional<long long> started_at_unix, finished_at_unix, pid;
  std::string health_status;  // "starting", "healthy", "unhealthy"; empty without a health check
  std::optional<double> health_failing_streak;
  // HostConfig limits: 0 means none (Docker and Podman both say 0 for "not set").
  double nano_cpus = 0;
  double cpu_quota = 0;
  double cpu_period = 0;
  double cpu_shares = 0;
  double memory_limit = 0;
  double memory_reservation = 0;
  double pids_limit = 0;  // null, 0 and -1 all mean unlimited
  // HostConfig.NetworkMode: "host" and "container:ID" share another's network namespace.
  std::string network_mode;
  std::map<std::string, std::string> labels;
  // At most kMaxMounts; entries without an absolute destination are left out.
  std::vector<ContainerMount> mounts;
  static constexpr size_t kMaxMounts = 64;
};
Parsed<ContainerInspect> ParseInspect(std::string_view body);

// GET /events?since=S&until=U (U not in the future: the reply ends at once): one JSON object a
// line. The containers named (Actor.ID of container events, Attributes.container of network
// ones), and how many events there were in all (Docker keeps only its last 256).
struct EngineEvents {
  size_t count = 0;
  std::set<std::string, std::less<>> containers;
};
Parsed<EngineEvents> ParseEvents(std::string_view body);

struct NetworkInterfaceStats {
  std::string interface;
  std::optional<double> rx_bytes, rx_packets, rx_errors, rx_dropped;
  std::optional<double> tx_bytes, tx_packets, tx_errors, tx_dropped;
};

struct BlockDeviceStats {
  std::string device;  // "major:minor"
  double read_bytes = 0;
  double write_bytes = 0;
};

// GET /containers/ID/stats?stream=false. Counters in the units the API gives (nanoseconds,
// bytes); missing fields stay nullopt.
struct ContainerStats {
  // A stopped container answers zeros with read "0001-01-01T00:00:00Z": nothing to export.
  bool sampled = false;
  bool cgroup_v2 = false;  // memory_stats.stats has no total_* keys (or has "anon")
  std::optional<double> cpu_total_ns, cpu_user_ns, cpu_kernel_ns, online_cpus;
  std::optional<double> cfs_periods, cfs_throttled_periods, cfs_throttled_ns;
  std::optional<double> memory_usage, memory_limit, memory_max_usage, memory_failcnt;
  // From memory_stats.stats: cgroup v1 total_* (the hierarchy), v2 the flat keys.
  std::optional<double> inactive_file;  // v1 total_inactive_file, v2 inactive_file
  std::optional<double> cache;          // v1 total_cache, v2 file
  std::optional<double> rss;            // v1 total_rss, v2 anon
  std::optional<double> mapped_file;    // v1 total_mapped_file, v2 file_mapped
  std::optional<double> pids_current, pids_limit;
  std::vector<NetworkInterfaceStats> networks;
  std::vector<BlockDeviceStats> block_devices;
};
Parsed<ContainerStats> ParseStats(std::string_view body);

// usage - inactive_file, never below 0, as cAdvisor computes its working set (cgroup v1:
// total_inactive_file, v2: inactive_file). Without the breakdown (Podman sends none) the usage.
std::optional<double> WorkingSetBytes(const ContainerStats& stats);

// The "message" of an error reply ({"message":"No such container: x"}); empty when none.
std::string ErrorMessage(std::string_view body);

// RFC 3339 with up to nanoseconds ("2026-11-24T22:13:10.06226054Z", "+01:00" offsets) as unix
// seconds; nullopt for Go's zero time ("0001-01-01T00:00:00Z") and anything malformed.
std::optional<double> ParseTimestamp(std::string_view text);

// The same in whole seconds, rounded down as Go's Time.Unix() does (exact, where a double of
// seconds plus nanoseconds may round up to the next second).
std::optional<long long> ParseTimestampUnix(std::string_view text);

}  // namespace ooe::docker
