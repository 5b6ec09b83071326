#include "collectors/redis/kind.h"

#include "collectors/redis/collector.h"

namespace ooe::redis {
namespace {

Address ReadAddress(const ConfigNode& target) {
  const auto text = target.RequiredString("address");
  std::string problem;
  auto address = ParseAddress(text, problem);
  if (!address) target.Fail("address", "'" + text + "' " + problem);
  return *address;
}

std::unique_ptr<Collector> Make(const ConfigNode& target, const TargetOptions& options) {
  Credentials credentials{.username = target.String("username", ""),
                          .password = target.Secret("password")};
  return std::make_unique<RedisCollector>(ReadAddress(target), std::move(credentials), options);
}

}  // namespace

const CollectorKind& Kind() {
  static const CollectorKind kKind = {
      .name = "redis",
      .help = "Redis INFO and CONFIG (hiredis)",
      .enabled_by_default = true,
      .target_flags =
          {
              {"redis.addr", "address",
               "Redis to watch: redis://host:port, rediss://host:port or unix:///path"},
              {"redis.user", "username", "Redis ACL user name (Redis 6+)"},
              {"redis.password-file", "password_file", "File holding the Redis password"},
          },
      .secret_envs = {{"ONLYOFFICE_EXPORTER_REDIS_PASSWORD", "password_env"},
                      {"REDIS_PASSWORD", "password_env"}},
      .keys = {"address", "username", "password_file", "password_env"},
      // INFO ALL is a few KiB; a larger reply fails the command instead of being buffered.
      .defaults = {.timeout = {}, .max_body_bytes = size_t{16} << 20},
      .default_target = [] { return YAML::Load("address: redis://localhost:6379"); },
      .default_name =
          [](const ConfigNode& target) {
            const auto address = ReadAddress(target);
            return address.socket_path.empty() ? address.host + ":" + std::to_string(address.port)
                                               : address.socket_path;
          },
      .make = Make,
  };
  return kKind;
}

}  // namespace ooe::redis
