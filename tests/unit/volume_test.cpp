// The file systems mounted into a container, from the inspect replies of both engines.
#include <catch2/catch.hpp>

#include "collectors/docker/parser.h"
#include "tests/support/process.h"

namespace ooe::docker {
namespace {

const std::string kFixtures = std::string(OOE_SOURCE_DIR) + "/tests/fixtures/docker/";

}  // namespace

TEST_CASE("volumes: a named volume, a bind and a tmpfs, as Docker and Podman list them") {
  for (const std::string engine : {"docker", "podman"}) {
    INFO(engine);
    const auto inspect =
        ParseInspect(test::ReadFile(kFixtures + "inspect-" + engine + "-volumes.json"));
    REQUIRE(inspect);
    const auto& mounts = inspect->mounts;
    REQUIRE(mounts.size() == 3);
    CHECK(mounts[0].type == "volume");
    CHECK(mounts[0].volume == "oo-data");
    CHECK(mounts[0].destination == "/var/lib/onlyoffice");
    CHECK(mounts[1].type == "bind");
    CHECK(mounts[1].volume == "/tmp/exp/bind");
    CHECK(mounts[1].destination == "/var/log/onlyoffice");
    CHECK(mounts[2].type == "tmpfs");
    CHECK(mounts[2].volume.empty());
    CHECK(mounts[2].destination == "/var/lib/onlyoffice/cache");
  }
}

TEST_CASE("volumes: destinations that would leave the container's root are left out") {
  const std::string head = R"({"Id":"abc","State":{"Status":"running"},"Mounts":[)";
  const auto inspect =
      ParseInspect(head + R"({"Type":"bind","Source":"/a","Destination":"/data/../../etc"},)" +
                   R"({"Type":"bind","Source":"/b","Destination":"relative"},)" +
                   R"({"Type":"bind","Source":"/c","Destination":"/ok/..x"},)" + R"(7,)" +
                   R"({"Type":"volume","Name":"v","Destination":"/ok/..x"}],)" +
                   R"("HostConfig":{"Tmpfs":{"/..":"","/run":"size=1m"}}})");
  REQUIRE(inspect);
  REQUIRE(inspect->mounts.size() == 2);
  CHECK(inspect->mounts[0].destination == "/ok/..x");  // the first of the two there
  CHECK(inspect->mounts[0].volume == "/c");
  CHECK(inspect->mounts[1].destination == "/run");
  // Mounts that are no list, and none at all, give none.
  CHECK(ParseInspect(R"({"Id":"abc","State":{},"Mounts":{"a":1}})")->mounts.empty());
  CHECK(ParseInspect(R"({"Id":"abc","State":{}})")->mounts.empty());
}

TEST_CASE("volumes: at most kMaxMounts of a container") {
  std::string body = R"({"Id":"abc","State":{},"Mounts":[)";
  for (int i = 0; i < 100; ++i) {
    if (i > 0) body += ",";
    body += R"({"Type":"bind","Source":"/s","Destination":"/d)" + std::to_string(i) + R"("})";
  }
  body += "]}";
  CHECK(ParseInspect(body)->mounts.size() == ContainerInspect::kMaxMounts);
}

}  // namespace ooe::docker
