// Garbage replies, engine errors, API versions, timestamps, engine hosts and the docker target's
// configuration.
// Against real Docker Engine 20.10 replies (cgroup v1) captured in tests' shared fixtures; see
// docker_fixtures.h.
#include <catch2/catch.hpp>
#include <cstdlib>

#include "collectors/docker/engine_api.h"
#include "collectors/docker/kind.h"
#include "collectors/docker/parser.h"
#include "tests/support/collect.h"
#include "tests/unit/docker_fixtures.h"

namespace ooe::docker_test {

TEST_CASE("docker: garbage, truncated and wrongly typed replies are errors, never a crash") {
  for (const auto* body : {"", "garbage", "[]", "null", "{", "\"text\"", "<html>502</html>",
                           "{\"read\": 5}", "{\"State\": []}"}) {
    INFO(body);
    CHECK_FALSE(docker::ParseStats(body));
    CHECK_FALSE(docker::ParseInspect(body));
    CHECK_FALSE(docker::ParseVersion(body));
    CHECK(docker::ErrorMessage(body).empty());
  }
  CHECK_FALSE(docker::ParseContainerList("{}"));
  CHECK_FALSE(docker::ParseContainerList("[{\"Names\": [\"/x\"]}]"));  // no Id
  CHECK(docker::ParseContainerList("[]"));
  // Every prefix of real replies: a reply cut off anywhere.
  for (const auto* name :
       {"stats-oo-cpu.json", "inspect-oo-healthy.json", "containers-all.json", "version.json"}) {
    std::string body = Fixture(name);
    while (!body.empty() && std::isspace(static_cast<unsigned char>(body.back()))) body.pop_back();
    for (size_t length = 0; length < body.size(); length += 7) {
      const std::string_view cut(body.data(), length);
      INFO(name << " cut at " << length);
      CHECK_FALSE(docker::ParseStats(cut));
      CHECK_FALSE(docker::ParseInspect(cut));
      CHECK_FALSE(docker::ParseContainerList(cut));
    }
  }
  // Wrong types inside a valid document are left out, not exported as 0.
  const auto odd = docker::ParseStats(R"({"read": "2026-11-24T22:16:19Z",
      "cpu_stats": {"cpu_usage": {"total_usage": "many"}, "online_cpus": "two"},
      "memory_stats": {"usage": null, "stats": []}, "networks": {"eth0": 7},
      "blkio_stats": {"io_service_bytes_recursive": [1, {"op": "Read"}]}})");
  REQUIRE(odd);
  CHECK_FALSE(odd->cpu_total_ns);
  CHECK_FALSE(odd->online_cpus);
  CHECK_FALSE(odd->memory_usage);
  CHECK_FALSE(docker::WorkingSetBytes(*odd));
  REQUIRE(odd->networks.size() == 1);
  CHECK_FALSE(odd->networks[0].rx_bytes);
  CHECK(odd->block_devices.empty());
}

TEST_CASE("docker: the error fixtures give the engine's message") {
  CHECK(docker::ErrorMessage(Fixture("error-no-such-container.json")) ==
        "No such container: does-not-exist");
  CHECK(docker::ErrorMessage(Fixture("error-api-version-too-new.json")) ==
        "client version 1.99 is too new. Maximum supported API version is 1.41");
  CHECK(Fixture("error-api-version-too-new.headers").find("400 Bad Request") != std::string::npos);
}

TEST_CASE("docker: version and API negotiation: min(server, 1.41), Podman recognised") {
  const auto version = docker::ParseVersion(Fixture("version.json"));
  REQUIRE(version);
  CHECK(version->api_version == "1.41");
  CHECK(version->min_api_version == "1.12");
  CHECK(version->engine == "docker");
  const auto podman = docker::ParseVersion(
      R"({"Components":[{"Name":"Podman Engine","Version":"4.3.1"}],"Version":"4.3.1",
          "ApiVersion":"1.41","MinAPIVersion":"1.24"})");
  REQUIRE(podman);
  CHECK(podman->engine == "podman");
  CHECK(docker::NegotiateApiVersion("1.41") == "1.41");
  CHECK(docker::NegotiateApiVersion("1.45") == "1.41");
  CHECK(docker::NegotiateApiVersion("2.0") == "1.41");
  CHECK(docker::NegotiateApiVersion("1.40") == "1.40");
  CHECK_FALSE(docker::NegotiateApiVersion("1.12"));
  CHECK(docker::NegotiateApiVersion("") == "");  // unversioned paths
  CHECK(docker::NegotiateApiVersion("4.3.1") == "");
}

TEST_CASE("docker: timestamps: nanoseconds, offsets, Go's zero time") {
  CHECK(docker::ParseTimestamp("1970-01-01T00:00:10Z") == 10);
  CHECK(docker::ParseTimestamp("2026-11-24T22:13:10.5Z") == 1795558390.5);
  CHECK(docker::ParseTimestamp("2026-11-24T23:13:10.5+01:00") == 1795558390.5);
  CHECK_FALSE(docker::ParseTimestamp("0001-01-01T00:00:00Z"));
  CHECK_FALSE(docker::ParseTimestamp(""));
  CHECK_FALSE(docker::ParseTimestamp("2026-11-24"));
  CHECK_FALSE(docker::ParseTimestamp("2026-11-24T22:13:10.Z"));
  CHECK_FALSE(docker::ParseTimestamp("2026-11-24T22:13:10Zjunk"));
}

TEST_CASE("docker: engine hosts parse as DOCKER_HOST accepts them") {
  std::string error;
  auto endpoint = docker::ParseEndpoint("unix:///var/run/docker.sock", false, error);
  REQUIRE(endpoint);
  CHECK(endpoint->unix_socket == "/var/run/docker.sock");
  CHECK(endpoint->base_url == "http://localhost");
  endpoint = docker::ParseEndpoint("tcp://proxy:2375", false, error);
  REQUIRE(endpoint);
  CHECK(endpoint->base_url == "http://proxy:2375");
  CHECK(endpoint->unix_socket.empty());
  CHECK(docker::ParseEndpoint("tcp://proxy:2376", true, error)->base_url == "https://proxy:2376");
  CHECK(docker::ParseEndpoint("tcp://proxy", true, error)->base_url == "https://proxy:2376");
  CHECK(docker::ParseEndpoint("tcp://proxy", false, error)->base_url == "http://proxy:2375");
  CHECK(docker::ParseEndpoint("https://h:1/", false, error)->base_url == "https://h:1");
  CHECK_FALSE(docker::ParseEndpoint("unix://relative", false, error));
  CHECK_FALSE(docker::ParseEndpoint("/var/run/docker.sock", false, error));
  CHECK_FALSE(docker::ParseEndpoint("tcp://", false, error));
  CHECK_FALSE(docker::ParseEndpoint("tcp://user:pw@h:1", false, error));
}

TEST_CASE("docker: docker target configuration errors name the key") {
  auto make = [](const std::string& yaml) { return test::MakeTarget("docker", yaml); };
  CHECK(make("host: unix:///run/docker.sock").target == "unix:///run/docker.sock");
  CHECK(make("host: tcp://h:2375\nname: engine").target == "engine");
  CHECK(make("host: tcp://h:2375").collector->Describe() == "tcp://h:2375");
  CHECK_THROWS_WITH(make("host: docker.sock"), Catch::Contains("target.host"));
  CHECK_THROWS_WITH(make("host: unix:///s\nname_regex: '('"), Catch::Contains("name_regex"));
  CHECK_THROWS_WITH(make("host: unix:///s\nlabel_filter: '=x'"), Catch::Contains("label_filter"));
  CHECK_THROWS_WITH(make("host: unix:///s\nmax_containers: 0"), Catch::Contains("max_containers"));
  CHECK_THROWS_WITH(make("host: unix:///s\ntls_config: {cert_file: c.pem}"),
                    Catch::Contains("target.tls_config.key_file"));
  CHECK_THROWS_WITH(make("host: unix:///s\nlabel_allowlist: [a.b, a_b]"),
                    Catch::Contains("label_allowlist"));
  CHECK_THROWS_WITH(make("host: unix:///s\nhots: x"), Catch::Contains("hots"));
  CHECK_THROWS_WITH(make("host: unix:///s\ninspect_max_age: soon"),
                    Catch::Contains("target.inspect_max_age"));
  CHECK(make("host: unix:///s\ninspect_max_age: 5m").target == "unix:///s");
  CHECK_THROWS_WITH(make("host: unix:///s\nread_cgroups: sometimes"),
                    Catch::Contains("target.read_cgroups"));
  CHECK_THROWS_WITH(make("host: unix:///s\nproc_root: host/proc"),
                    Catch::Contains("target.proc_root: 'host/proc' must be an absolute path"));
  CHECK_THROWS_WITH(make("host: tcp://h:2375\nread_cgroups: true\ncgroup_root: ''"),
                    Catch::Contains("target.cgroup_root: '' must be an absolute path"));
  CHECK(make("host: unix:///s\nproc_root: /host/proc\ncgroup_root: /host/sys/fs/cgroup").target ==
        "unix:///s");
  CHECK(docker::LabelName("com.docker.compose.project") ==
        "container_label_com_docker_compose_project");
  CHECK(docker::LabelName("a-b/c") == "container_label_a_b_c");
}

TEST_CASE(
    "docker: the default target follows DOCKER_HOST and DOCKER_TLS_VERIFY as the docker CLI") {
  unsetenv("DOCKER_HOST");
  unsetenv("DOCKER_TLS_VERIFY");
  unsetenv("DOCKER_TLS");
  CHECK(docker::DefaultTarget()["host"].as<std::string>() == "unix:///var/run/docker.sock");
  setenv("DOCKER_HOST", "tcp://engine:2376", 1);
  setenv("DOCKER_TLS_VERIFY", "1", 1);
  setenv("DOCKER_CERT_PATH", "/certs", 1);
  const auto target = docker::DefaultTarget();
  CHECK(target["host"].as<std::string>() == "tcp://engine:2376");
  CHECK(target["tls_config"]["ca_file"].as<std::string>() == "/certs/ca.pem");
  CHECK(target["tls_config"]["cert_file"].as<std::string>() == "/certs/cert.pem");
  CHECK(target["tls_config"]["key_file"].as<std::string>() == "/certs/key.pem");
  // A tls_config makes tcp:// speak TLS.
  CHECK(test::MakeTarget("docker", YAML::Dump(target)).collector->Describe() ==
        "tcp://engine:2376");
  unsetenv("DOCKER_HOST");
  unsetenv("DOCKER_TLS_VERIFY");
  unsetenv("DOCKER_CERT_PATH");
}

}  // namespace ooe::docker_test
