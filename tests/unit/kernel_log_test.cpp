// The kernel's log records (/dev/kmsg) and the OOM kills counted from them per container.
#include "collectors/docker/kernel_log.h"

#include <catch2/catch.hpp>
#include <sstream>

#include "tests/support/process.h"

namespace ooe::docker {
namespace {

const std::string kFixtures = std::string(OOE_SOURCE_DIR) + "/tests/fixtures/kmsg/";
const std::string kDockerId = "db62ecef1b238f93e2984d6b1a164b442c5baa9896f9c70128e78a3a950b21c2";
const std::string kPodmanId = "f80b8211655d36e39fabbcc8c7c13d251a9fe6b4905c1c8c115f382ae57d268a";

// The records of a captured file, one a line, as /dev/kmsg's reads returned them.
std::vector<std::string> Records(const std::string& name) {
  std::istringstream lines(test::ReadFile(kFixtures + name));
  std::vector<std::string> records;
  for (std::string line; std::getline(lines, line);) records.push_back(line + "\n");
  return records;
}

OomTally TallyOf(const std::vector<std::string>& records) {
  OomTally tally;
  for (const auto& text : records) {
    const auto record = ParseKernelRecord(text);
    REQUIRE(record);
    tally.Add(*record);
  }
  return tally;
}

}  // namespace

TEST_CASE("kernel log: a record gives its sequence number and its message's first line") {
  const auto record = ParseKernelRecord("6,3573,500324584,-,caller=T12;oom-kill:x\n SUBSYSTEM=a\n");
  REQUIRE(record);
  CHECK(record->sequence == 3573);
  CHECK(record->message == "oom-kill:x");
  CHECK(ParseKernelRecord("6,12,5,-;\n")->message.empty());
}

TEST_CASE("kernel log: malformed records are one-line errors") {
  CHECK(ParseKernelRecord("no header at all").error ==
        "kernel log record without ';' after its header");
  CHECK(ParseKernelRecord("6;message").error ==
        "kernel log record header '6' has no sequence number");
  CHECK(ParseKernelRecord("6,x12,5,-;message").error ==
        "kernel log record sequence 'x12' is not a number");
  CHECK(ParseKernelRecord("6,,5,-;message").error ==
        "kernel log record sequence '' is not a number");
  CHECK_FALSE(ParseKernelRecord("6,99999999999999999999999,5,-;m"));
  CHECK_FALSE(ParseKernelRecord("line one\n6,1,2,-;after the newline"));
}

TEST_CASE("kernel log: the oom-kill line names the victim's memory cgroup and process") {
  const auto records = Records("oom-kills");
  std::vector<OomKill> kills;
  for (const auto& text : records) {
    if (auto kill = ParseOomKill(ParseKernelRecord(text)->message)) kills.push_back(*kill);
  }
  REQUIRE(kills.size() == 2);
  CHECK(kills[0].task_memcg == "/libpod_parent/libpod-" + kPodmanId);
  CHECK(kills[0].task == "tail");
  CHECK(kills[1].task_memcg == "/docker/" + kDockerId);
  CHECK(ContainerIdOfCgroup(kills[1].task_memcg) == kDockerId);
}

TEST_CASE("kernel log: the old 'Task in ... killed' line is read too") {
  const auto records = Records("old-format");
  const auto kill = ParseOomKill(ParseKernelRecord(records[0])->message);
  REQUIRE(kill);
  CHECK(kill->task_memcg == "/docker/" + kDockerId);
  CHECK(TallyOf(records).Kills(kDockerId) == 1);
}

TEST_CASE("kernel log: lines that only look like a kill are not counted") {
  for (const std::string& message : std::vector<std::string>{
           "oom-kill:constraint=CONSTRAINT_MEMCG,oom_memcg=/docker/x",
           "oom-kill:task_memcg=", "oom-kill:xtask_memcg=/docker/" + kDockerId,
           "Task in  killed as a result of limit of /a", "Task in /docker/" + kDockerId,
           "tail invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL)",
           "Memory cgroup out of memory: Killed process 8745 (tail)"}) {
    INFO(message);
    CHECK_FALSE(ParseOomKill(message));
  }
}

TEST_CASE("kernel log: the container id is the 64 hex digits of the last component with them") {
  CHECK(ContainerIdOfCgroup("/docker/" + kDockerId) == kDockerId);
  CHECK(ContainerIdOfCgroup("/system.slice/docker-" + kDockerId + ".scope") == kDockerId);
  CHECK(ContainerIdOfCgroup("/libpod_parent/libpod-" + kPodmanId + "/container") == kPodmanId);
  CHECK(ContainerIdOfCgroup("/kubepods/burstable/pod0a1b2c3d-1111-2222-3333-444455556666/" +
                            kDockerId) == kDockerId);
  CHECK(ContainerIdOfCgroup("/docker/" + kDockerId + "/" + kPodmanId) == kPodmanId);
  CHECK(ContainerIdOfCgroup("/user.slice/user-0.slice/session-3.scope").empty());
  CHECK(ContainerIdOfCgroup("/docker/" + kDockerId + "0").empty());  // 65 digits: not an id
  CHECK(ContainerIdOfCgroup("/docker/" + kDockerId.substr(1)).empty());
  CHECK(ContainerIdOfCgroup("").empty());
  CHECK(ContainerIdOfCgroup("/").empty());
}

TEST_CASE("kernel log: kills are counted per container, each record once") {
  const auto records = Records("oom-kills");
  OomTally tally = TallyOf(records);
  CHECK(tally.Kills(kDockerId) == 1);
  CHECK(tally.Kills(kPodmanId) == 1);
  CHECK(tally.Kills("0000") == 0);
  // The same records again (a descriptor read twice): their sequence numbers are not past the
  // last counted one.
  for (const auto& text : records) tally.Add(*ParseKernelRecord(text));
  CHECK(tally.Kills(kDockerId) == 1);
  // A later kill of the same container (PID 1 again, after the engine restarted it) adds to it.
  tally.Add(*ParseKernelRecord(
      "6,9000,600000000,-;oom-kill:constraint=CONSTRAINT_MEMCG,"
      "oom_memcg=/docker/" +
      kDockerId + ",task_memcg=/docker/" + kDockerId + ",task=tail,pid=9001,uid=0\n"));
  CHECK(tally.Kills(kDockerId) == 2);
  tally.Prune([&](std::string_view id) { return id == kDockerId; });
  CHECK(tally.Containers() == 1);
  CHECK(tally.Kills(kPodmanId) == 0);
  CHECK(tally.Kills(kDockerId) == 2);
}

}  // namespace ooe::docker
