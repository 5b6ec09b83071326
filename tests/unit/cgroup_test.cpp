// A container's kernel files (cgroup v1 and v2, /proc/PID/cgroup, /proc/PID/net/dev) parsed
// into the numbers the engine's stats endpoint gives, and the reader that finds them.
#include <catch2/catch.hpp>
#include <filesystem>

#include "collectors/docker/cgroup_parser.h"
#include "collectors/docker/cgroup_reader.h"
#include "tests/support/docker_cli.h"
#include "tests/support/process.h"

namespace ooe::docker {
namespace {

const std::string kFixtures = std::string(OOE_SOURCE_DIR) + "/tests/fixtures/cgroup/";
const std::string kDockerId = "e96bbf0c8475a086c3f9285129b473cd471078d0a7b803700e2183eb4ae52fec";

CgroupFiles DockerV1Files() {
  CgroupFiles files;
  for (const auto name : kCgroupV1Files) {
    files.emplace(name, test::ReadFile(kFixtures + "v1-docker-20.10/" + std::string(name)));
  }
  return files;
}

// cgroup v2 files as the kernel's cgroup-v2.rst documents them (v2 cannot run on these
// machines): a container with --memory 64m --cpus 0.5 --pids-limit 100.
CgroupFiles V2Files() {
  return {
      {"cpu.stat",
       "usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\ncore_sched.force_idle_usec 0\n"
       "nr_periods 40\nnr_throttled 7\nthrottled_usec 350000\nnr_bursts 0\nburst_usec 0\n"},
      {"memory.current", "9347072\n"},
      {"memory.max", "67108864\n"},
      {"memory.stat",
       "anon 53248\nfile 8388608\nkernel 700000\nsock 0\nshmem 0\nfile_mapped 4096\n"
       "file_dirty 0\nactive_anon 4096\ninactive_anon 49152\nactive_file 0\n"
       "inactive_file 8388608\nunevictable 0\n"},
      {"pids.current", "3\n"},
      {"pids.max", "100\n"},
      {"io.stat",
       "8:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n"
       "8:16 rbytes=100 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n"},
  };
}

void Put(const std::filesystem::path& path, const std::string& content) {
  std::filesystem::create_directories(path.parent_path());
  test::WriteFile(path, content);
}

}  // namespace

TEST_CASE("cgroup: Docker's v1 files give the numbers of Docker's stats reply for them") {
  const auto from_files = ParseCgroupV1(DockerV1Files(), 100);
  REQUIRE(from_files);
  const auto from_engine = ParseStats(test::ReadFile(kFixtures + "v1-docker-20.10/stats.json"));
  REQUIRE(from_engine);
  const ContainerStats& files = *from_files;
  const ContainerStats& engine = *from_engine;
  CHECK(files.sampled);
  CHECK_FALSE(files.cgroup_v2);
  CHECK(files.cpu_total_ns == engine.cpu_total_ns);
  CHECK(files.cpu_total_ns == 102731241);
  CHECK(files.cpu_user_ns == engine.cpu_user_ns);
  CHECK(files.cpu_kernel_ns == engine.cpu_kernel_ns);
  CHECK(files.cfs_periods == engine.cfs_periods);
  CHECK(files.cfs_throttled_periods == engine.cfs_throttled_periods);
  CHECK(files.cfs_throttled_ns == engine.cfs_throttled_ns);
  CHECK(files.memory_usage == engine.memory_usage);
  CHECK(files.memory_max_usage == engine.memory_max_usage);
  CHECK(files.memory_failcnt == 0);  // Docker leaves a zero failcnt out (omitempty)
  CHECK_FALSE(engine.memory_failcnt);
  CHECK(files.inactive_file == engine.inactive_file);
  CHECK(files.inactive_file == 8 << 20);
  CHECK(files.cache == engine.cache);
  CHECK(files.rss == engine.rss);
  CHECK(files.mapped_file == engine.mapped_file);
  CHECK(files.pids_current == engine.pids_current);
  CHECK(files.pids_limit == engine.pids_limit);
  CHECK(files.memory_limit == 64 << 20);
  CHECK(WorkingSetBytes(files) == WorkingSetBytes(engine));
  CHECK(WorkingSetBytes(files) == 9347072 - (8 << 20));
  CHECK(test::CliMemoryUsageBytes(files) == test::CliMemoryUsageBytes(engine));
  CHECK(files.block_devices.size() == engine.block_devices.size());
}

TEST_CASE("cgroup: v1 optional files may be missing; the ones CPU and memory need may not") {
  auto files = DockerV1Files();
  for (const auto name : {"cpuacct.stat", "cpu.stat", "pids.current", "pids.max",
                          "blkio.throttle.io_service_bytes_recursive", "memory.failcnt"}) {
    files.erase(files.find(name));
  }
  const auto partial = ParseCgroupV1(files, 100);
  REQUIRE(partial);
  CHECK(partial->cpu_total_ns == 102731241);
  CHECK_FALSE(partial->cpu_user_ns);
  CHECK_FALSE(partial->cfs_periods);
  CHECK_FALSE(partial->pids_current);

  for (const auto& [name, error] :
       {std::pair{"cpuacct.usage", "cpuacct.usage is missing or not a number"},
        std::pair{"memory.usage_in_bytes", "memory.usage_in_bytes is missing or not a number"},
        std::pair{"memory.stat", "memory.stat has no total_inactive_file"}}) {
    INFO(name);
    auto without = DockerV1Files();
    without.erase(without.find(name));
    CHECK(ParseCgroupV1(without, 100).error == error);
    auto garbled = DockerV1Files();
    garbled[name] = "12abc\n";
    CHECK(ParseCgroupV1(garbled, 100).error == error);
  }
  // Blocks read and written per device, other operations and the total ignored.
  auto with_io = DockerV1Files();
  with_io["blkio.throttle.io_service_bytes_recursive"] =
      "8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 12288\n8:0 Async 0\n8:0 Discard 0\n"
      "8:0 Total 12288\n8:16 Read 100\nTotal 12388\n";
  const auto io = ParseCgroupV1(with_io, 100);
  REQUIRE(io);
  REQUIRE(io->block_devices.size() == 2);
  CHECK(io->block_devices[0].device == "8:0");
  CHECK(io->block_devices[0].read_bytes == 4096);
  CHECK(io->block_devices[0].write_bytes == 8192);
  CHECK(io->block_devices[1].device == "8:16");
  CHECK(io->block_devices[1].read_bytes == 100);
}

TEST_CASE("cgroup: v2 files give what Docker's stats give on v2, working set = usage - inactive") {
  const auto parsed = ParseCgroupV2(V2Files());
  REQUIRE(parsed);
  const ContainerStats& stats = *parsed;
  CHECK(stats.cgroup_v2);
  CHECK(stats.cpu_total_ns == 2.5e9);
  CHECK(stats.cpu_user_ns == 2e9);
  CHECK(stats.cpu_kernel_ns == 0.5e9);
  CHECK(stats.cfs_periods == 40);
  CHECK(stats.cfs_throttled_periods == 7);
  CHECK(stats.cfs_throttled_ns == 3.5e8);
  CHECK(stats.memory_usage == 9347072);
  CHECK(stats.memory_limit == 64 << 20);
  CHECK(stats.rss == 53248);
  CHECK(stats.cache == 8 << 20);
  CHECK(stats.mapped_file == 4096);
  CHECK(stats.inactive_file == 8 << 20);
  CHECK_FALSE(stats.memory_max_usage);  // v1 only, as with the engine
  CHECK_FALSE(stats.memory_failcnt);
  CHECK(WorkingSetBytes(stats) == 9347072 - (8 << 20));
  CHECK(stats.pids_current == 3);
  CHECK(stats.pids_limit == 100);
  REQUIRE(stats.block_devices.size() == 2);
  CHECK(stats.block_devices[0].device == "8:0");
  CHECK(stats.block_devices[0].read_bytes == 4096);
  CHECK(stats.block_devices[0].write_bytes == 8192);

  // No limits: "max" is no number to export, and an infinite limit for change detection.
  auto unlimited = V2Files();
  unlimited["memory.max"] = "max\n";
  unlimited["pids.max"] = "max\n";
  const auto open = ParseCgroupV2(unlimited);
  REQUIRE(open);
  CHECK(std::isinf(open->memory_limit.value()));
  CHECK_FALSE(open->pids_limit);

  for (const auto& [name, error] :
       {std::pair{"cpu.stat", "cpu.stat has no usage_usec"},
        std::pair{"memory.current", "memory.current is missing or not a number"},
        std::pair{"memory.stat", "memory.stat has no inactive_file"}}) {
    INFO(name);
    auto without = V2Files();
    without.erase(without.find(name));
    CHECK(ParseCgroupV2(without).error == error);
  }
}

TEST_CASE("cgroup: /proc/PID/cgroup lists v1 hierarchies and the unified one") {
  const auto docker =
      ParseProcessCgroups(test::ReadFile(kFixtures + "v1-docker-20.10/proc-cgroup"));
  REQUIRE(docker);
  CHECK(docker->v1.size() == 9);
  REQUIRE(docker->Find("memory"));
  CHECK(docker->Find("memory")->path == "/docker/" + kDockerId);
  CHECK(docker->Find("cpuacct")->controllers == "cpuacct");
  CHECK(docker->v2 == "/docker/" + kDockerId);
  CHECK_FALSE(docker->Find("hugetlb"));

  // Debian 11's v1 mounts cpu and cpuacct together.
  const auto joined = ParseProcessCgroups("4:cpu,cpuacct:/docker/abc\n3:memory:/docker/abc\n");
  REQUIRE(joined);
  CHECK(joined->Find("cpuacct")->controllers == "cpu,cpuacct");
  CHECK(joined->Find("cpu")->controllers == "cpu,cpuacct");
  CHECK_FALSE(joined->v2);
  // Pure v2.
  const auto unified = ParseProcessCgroups("0::/system.slice/docker-abc.scope\n");
  REQUIRE(unified);
  CHECK(unified->v1.empty());
  CHECK(unified->v2 == "/system.slice/docker-abc.scope");

  CHECK(ParseProcessCgroups("").error == "no cgroup listed");
  CHECK(ParseProcessCgroups("garbage\n").error == "line 'garbage' is not ID:CONTROLLERS:PATH");
  CHECK(ParseProcessCgroups("x:memory:/a\n").error ==
        "line 'x:memory:/a' is not ID:CONTROLLERS:PATH");
  CHECK(ParseProcessCgroups("3:memory:\n").error == "line '3:memory:' has no absolute path");
}

TEST_CASE("cgroup: the container's own cgroup is the path up to the component naming its id") {
  const std::string id = kDockerId;
  CHECK(ContainerCgroupPath("/docker/" + id, id) == "/docker/" + id);
  CHECK(ContainerCgroupPath("/libpod_parent/libpod-" + id, id) == "/libpod_parent/libpod-" + id);
  CHECK(ContainerCgroupPath("/system.slice/docker-" + id + ".scope", id) ==
        "/system.slice/docker-" + id + ".scope");
  // Podman on systemd puts the processes one level down; the container's cgroup holds both.
  CHECK(ContainerCgroupPath("/machine.slice/libpod-" + id + ".scope/container", id) ==
        "/machine.slice/libpod-" + id + ".scope");
  // Another process (a PID reused, another namespace's PID), the root, a cgroup namespace's
  // view from outside it: not the container's.
  CHECK_FALSE(ContainerCgroupPath("/docker/" + std::string(64, 'a'), id));
  CHECK_FALSE(ContainerCgroupPath("/", id));
  CHECK_FALSE(ContainerCgroupPath("/../../docker/" + id, id));
  CHECK_FALSE(ContainerCgroupPath("/docker/" + id, ""));
}

TEST_CASE("cgroup: /proc/PID/net/dev gives every interface but loopback") {
  const auto host = ParseNetDev(test::ReadFile(kFixtures + "net-dev-host"));
  REQUIRE(host);
  std::vector<std::string> names;
  for (const auto& interface : *host) names.push_back(interface.interface);
  CHECK(std::find(names.begin(), names.end(), "lo") == names.end());
  CHECK(std::find(names.begin(), names.end(), "eth0") != names.end());
  CHECK(std::find(names.begin(), names.end(), "cni-podman0") != names.end());

  const auto parsed = ParseNetDev(
      "Inter-|   Receive                                                |  Transmit\n"
      " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs "
      "drop fifo colls carrier compressed\n"
      "    lo:     100       1    0    0    0     0          0         0      100       1    0 "
      "   0    0     0       0          0\n"
      "  eth0:12345678901   34242    3    4    0     0          0         0  1568408   20190    "
      "5    6    0     0       0          0\n");
  REQUIRE(parsed);
  REQUIRE(parsed->size() == 1);
  const auto& eth0 = parsed->front();
  CHECK(eth0.interface == "eth0");
  CHECK(eth0.rx_bytes == 12345678901.0);
  CHECK(eth0.rx_packets == 34242);
  CHECK(eth0.rx_errors == 3);
  CHECK(eth0.rx_dropped == 4);
  CHECK(eth0.tx_bytes == 1568408);
  CHECK(eth0.tx_packets == 20190);
  CHECK(eth0.tx_errors == 5);
  CHECK(eth0.tx_dropped == 6);

  // No network: loopback only.
  const auto none = ParseNetDev(test::ReadFile(kFixtures + "v1-docker-20.10/net-dev"));
  REQUIRE(none);
  CHECK(none->empty());
  CHECK(ParseNetDev("").error == "/net/dev has no header");
  CHECK(ParseNetDev("a\nb\neth0 1 2\n").error == "/net/dev line 3 has no interface name");
  CHECK(ParseNetDev("a\nb\neth0: 1 2\n").error ==
        "/net/dev line 3 is not an interface and 16 counters");
}

TEST_CASE("cgroup: the reader finds a container's files through /proc and its v1 hierarchies") {
  // A tree laid out as the host's: PROC/PID/cgroup and CGROUP/CONTROLLER/docker/ID/FILE.
  test::TempDir root;
  const auto proc = root.Path() / "proc";
  const auto cgroup = root.Path() / "cgroup";
  const std::string fixture = kFixtures + "v1-docker-20.10/";
  Put(proc / "4242" / "cgroup", test::ReadFile(fixture + "proc-cgroup"));
  for (const auto name : kCgroupV1Files) {
    const std::string file(name);
    const auto controller = file.substr(0, file.find('.'));
    Put(cgroup / controller / "docker" / kDockerId / file, test::ReadFile(fixture + file));
  }
  CgroupReader reader({proc.string(), cgroup.string()});
  std::string why;
  const auto stats = reader.Read(kDockerId, 4242, why);
  REQUIRE(stats);
  CHECK(why.empty());
  CHECK(stats->cpu_total_ns == 102731241);
  CHECK(WorkingSetBytes(*stats) == 9347072 - (8 << 20));
  CHECK(stats->networks.empty());  // read apart, once inspect says whose namespace it is
  Put(proc / "4242" / "net" / "dev", test::ReadFile(kFixtures + "net-dev-host"));
  const auto networks = reader.ReadNetworks(4242);
  CHECK(networks.size() == 4);  // all but lo
  CHECK(reader.ReadNetworks(4343).empty());
  CHECK(reader.ReadNetworks(0).empty());

  // Another container's id: the process is not in it.
  const std::string other(64, 'b');
  CHECK_FALSE(reader.Read(other, 4242, why));
  CHECK(why == proc.string() + "/4242/cgroup: '/docker/" + kDockerId + "' names no container " +
                   other.substr(0, 12) + " (another PID namespace, or the process ended)");
  CHECK_FALSE(reader.Read(kDockerId, 4343, why));
  CHECK(why == proc.string() + "/4343/cgroup: No such file or directory");
  CHECK_FALSE(reader.Read(kDockerId, 0, why));
  CHECK(why == "the engine gives no process id");
  // A required file gone: named, with the reason.
  std::filesystem::remove(cgroup / "memory" / "docker" / kDockerId / "memory.stat");
  CHECK_FALSE(reader.Read(kDockerId, 4242, why));
  CHECK(why == (cgroup / "memory" / "docker" / kDockerId / "memory.stat").string() +
                   ": No such file or directory");
}

}  // namespace ooe::docker
