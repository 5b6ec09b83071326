// Flags, environment and the config file (exporter/config.h), in-process: what each kind's
// definition offers, how the sources override each other, and the one-line errors.
#include "exporter/config.h"

#include <catch2/catch.hpp>
#include <map>
#include <sstream>

#include "base/config_node.h"
#include "tests/support/process.h"

namespace ooe {
namespace {

struct Run {
  CommandLineAction action = CommandLineAction::kRun;
  ExporterOptions options;
  std::string out;
};

Run Parse(std::vector<std::string> arguments, const std::map<std::string, std::string>& env = {}) {
  arguments.insert(arguments.begin(), "onlyoffice-exporter");
  std::vector<const char*> argv;
  for (const auto& argument : arguments) argv.push_back(argument.c_str());
  Run run;
  std::ostringstream out;
  run.action = ParseCommandLine(
      static_cast<int>(argv.size()), argv.data(),
      [&env](const char* name) -> const char* {
        const auto found = env.find(name);
        return found == env.end() ? nullptr : found->second.c_str();
      },
      out, run.options);
  run.out = out.str();
  return run;
}

std::string ErrorOf(const std::vector<std::string>& arguments,
                    const std::map<std::string, std::string>& env = {}) {
  try {
    Parse(arguments, env);
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "";
}

std::vector<std::string> Kinds(const ExporterOptions& options) {
  std::vector<std::string> kinds;
  for (const auto& collector : options.collectors) kinds.push_back(collector.kind);
  return kinds;
}

}  // namespace

TEST_CASE("flags: defaults, and each flag from the command line or its environment variable") {
  auto run = Parse({});
  CHECK(run.options.listen_address == ":10981");
  CHECK(run.options.telemetry_path == "/metrics");
  CHECK(run.options.scrape_timeout == std::chrono::seconds(10));
  CHECK(run.options.timeout_offset == std::chrono::milliseconds(500));
  CHECK(run.options.collectors.empty());  // every kind needs a target to run

  run = Parse({"--web.listen-address=127.0.0.1:1234", "--scrape.timeout", "3s"},
              {{"ONLYOFFICE_EXPORTER_WEB_LISTEN_ADDRESS", ":9"},
               {"ONLYOFFICE_EXPORTER_SCRAPE_TIMEOUT_OFFSET", "250ms"}});
  CHECK(run.options.listen_address == "127.0.0.1:1234");  // the flag wins over its variable
  CHECK(run.options.scrape_timeout == std::chrono::seconds(3));
  CHECK(run.options.timeout_offset == std::chrono::milliseconds(250));
  CHECK(EnvironmentName("docker.read-cgroups") == "ONLYOFFICE_EXPORTER_DOCKER_READ_CGROUPS");
}

TEST_CASE("flags: --help lists every kind's switch and single-target flags; --version exits") {
  auto run = Parse({"--help"});
  CHECK(run.action == CommandLineAction::kExit);
  for (const auto* flag : {"--[no-]collector.redis", "--redis.addr=VALUE", "--docker.host=VALUE",
                           "--rabbitmq.url=VALUE", "--documentserver.url=VALUE",
                           "Env: ONLYOFFICE_EXPORTER_REDIS_ADDR"}) {
    INFO(flag);
    CHECK(run.out.find(flag) != std::string::npos);
  }
  run = Parse({"--version"});
  CHECK(run.action == CommandLineAction::kExit);
  CHECK(run.out.find("onlyoffice-exporter") != std::string::npos);
}

TEST_CASE("flags: a single-target flag makes a target; a secret variable fills its password") {
  // The target's password_env names the variable; the secret itself is read from the process's
  // environment when the target is built.
  setenv("REDIS_PASSWORD", "s3cret", 1);
  const auto run = Parse({"--redis.addr=redis://10.0.0.5:6380", "--no-collector.docker"},
                         {{"REDIS_PASSWORD", "s3cret"}});
  unsetenv("REDIS_PASSWORD");
  REQUIRE(run.options.collectors.size() == 1);
  const auto& redis = run.options.collectors.front();
  CHECK(redis.kind == "redis");
  CHECK(redis.target == "10.0.0.5:6380");
  CHECK(redis.collector->Describe().find("s3cret") == std::string::npos);
  // Switched on explicitly without a target: the kind's default target.
  CHECK(Kinds(Parse({"--collector.rabbitmq"}).options) == std::vector<std::string>{"rabbitmq"});
  CHECK(Kinds(Parse({"--collector.redis", "--no-collector.redis"}).options).empty());
}

TEST_CASE("flags: wrong flags are one line naming the flag") {
  CHECK(ErrorOf({"--redis.adr=x"}) == "command line: --redis.adr: unknown flag (see --help)");
  CHECK(ErrorOf({"extra"}) == "command line: extra: unexpected argument (flags start with --)");
  CHECK(ErrorOf({"--scrape.timeout=soon"}) ==
        "command line: --scrape.timeout: must be a duration like 10s or 500ms, not 'soon'");
  CHECK(ErrorOf({"--collector.redis=maybe"}) ==
        "command line: --collector.redis: must be true or false, not 'maybe'");
  CHECK(ErrorOf({"--no-collector.redis=false"}) ==
        "command line: --no-collector.redis: takes no value");
  CHECK(ErrorOf({"--web.listen-address=10981"}) ==
        "command line: --web.listen-address: '10981' must be host:port or :port");
  CHECK(ErrorOf({"--web.telemetry-path=metrics"}) ==
        "command line: --web.telemetry-path: must start with /");
  CHECK(ErrorOf({"--log.level=loud"}) ==
        "command line: --log.level: must be debug, info, warn or error, not 'loud'");
  CHECK(ErrorOf({"--redis.addr"}) == "command line: --redis.addr: needs a value");
  CHECK(ErrorOf({"--redis.addr=ftp://x"}) ==
        "command line: --redis.addr: 'ftp://x' must start with redis://, rediss:// or unix://");
  CHECK(ErrorOf({}, {{"ONLYOFFICE_EXPORTER_SCRAPE_TIMEOUT", "0s"}}) ==
        "command line: scrape.timeout: must be more than 0");
}

TEST_CASE("config file: several targets per kind, common keys and tls_config on every kind") {
  const auto parsed = ParseConfigText(R"(
scrape: {timeout: 4s, timeout_offset: 100ms}
collectors:
  redis:
    targets:
      - {name: cache, address: 'redis://a:1', timeout: 2s, max_body_size: 1MiB}
      - {address: 'rediss://b:2', tls_config: {server_name: redis.example, insecure_skip_verify: true}}
  docker:
    enabled: false
  rabbitmq:
    targets:
      - {url: 'https://rabbit:15671', tls_config: {ca_file: /etc/ca.pem}}
  documentserver:
    targets:
      - {url: 'http://ds', docservice_url: 'http://ds:8000', commands: [version]}
)",
                                      "ooe.yml");
  REQUIRE(parsed);
  const auto& options = *parsed;
  CHECK(options.scrape_timeout == std::chrono::seconds(4));
  CHECK(Kinds(options) == std::vector<std::string>{"redis", "redis", "rabbitmq", "documentserver"});
  CHECK(options.collectors[0].target == "cache");
  CHECK(options.collectors[1].target == "b:2");
  CHECK(options.collectors[2].target == "rabbit:15671");
  CHECK(options.collectors[3].target == "ds");
  // Document Server reports healthcheck_up for each `via` and info_up.
  CHECK(options.collectors[3].collector->Verdicts().size() == 3);
}

TEST_CASE("config file: mistakes are one line naming the file and the key") {
  const auto error = [](const std::string& yaml) {
    auto parsed = ParseConfigText(yaml, "ooe.yml");
    return parsed ? std::string("(no error)") : parsed.error;
  };
  CHECK(error("collectors: {redis: {targets: [{address: 'redis://a:1', pasword_file: x}]}}") ==
        "ooe.yml: collectors.redis.targets[0].pasword_file: unknown key");
  CHECK(error("collectors: {mysql: {}}") == "ooe.yml: collectors.mysql: unknown collector kind");
  CHECK(error("collectors: {redis: {targets: [{address: 'redis://a:1', tls_ca_file: x}]}}") ==
        "ooe.yml: collectors.redis.targets[0].tls_ca_file: unknown key");
  CHECK(
      error(
          "collectors: {redis: {targets: [{address: 'redis://a:1', tls_config: {cafile: x}}]}}") ==
      "ooe.yml: collectors.redis.targets[0].tls_config.cafile: unknown key");
  CHECK(error("collectors: {redis: {targets: [{address: 'redis://a:1', tls_config: {cert_file: "
              "c}}]}}") ==
        "ooe.yml: collectors.redis.targets[0].tls_config.key_file: a client certificate needs both "
        "cert_file and key_file");
  CHECK(error("collectors: {redis: {targets: [{address: 'redis://a:1', timeout: 0s}]}}") ==
        "ooe.yml: collectors.redis.targets[0].timeout: must be longer than 0");
  CHECK(error("collectors: {redis: {targets: [{address: 'redis://a:1', max_body_size: lots}]}}") ==
        "ooe.yml: collectors.redis.targets[0].max_body_size: must be a size like 16MiB, 512KiB or "
        "1000, not 'lots'");
  CHECK(error("collectors: {redis: {targets: [{name: x, address: 'redis://a:1'}, "
              "{name: x, address: 'redis://b:1'}]}}") ==
        "ooe.yml: collectors.redis.targets[1].name: target name 'x' is used twice for redis; "
        "give each target its own name");
  CHECK(error("collectors: {redis: {targets: [{address: 'redis://a:1', password: x}]}}") ==
        "ooe.yml: collectors.redis.targets[0].password: secrets are not read from the "
        "configuration; use collectors.redis.targets[0].password_file or "
        "collectors.redis.targets[0].password_env");
  CHECK(error("scrape: {timeout: soon}") ==
        "ooe.yml: scrape.timeout: must be a duration like 10s, 500ms or 1m, not 'soon'");
  CHECK(error("collectors: [1, 2]") == "ooe.yml: collectors: must be a mapping");
}

}  // namespace ooe

namespace ooe {

TEST_CASE("flags: --web.max-connections sizes the web server, within bounds") {
  CHECK(Parse({}).options.max_connections == 512);
  CHECK(Parse({"--web.max-connections=64"}).options.max_connections == 64);
  CHECK(ErrorOf({"--web.max-connections=4"}) ==
        "command line: --web.max-connections: must be a number from 8 to 8192, not '4'");
  CHECK(ErrorOf({"--web.max-connections=many"}) ==
        "command line: --web.max-connections: must be a number from 8 to 8192, not 'many'");
}

}  // namespace ooe
