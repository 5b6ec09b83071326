#include "collectors/postgres/kind.h"

#include "collectors/postgres/collector.h"

namespace ooe::postgres {
namespace {

ConnectionSettings ReadSettings(const ConfigNode& target, const TargetOptions* options) {
  const auto dsn = target.RequiredString("dsn");
  std::string problem;
  static const TlsConfig kNoTls;
  auto settings = ParseConnectionSettings(dsn, options != nullptr ? options->tls : kNoTls,
                                          options != nullptr && options->tls_configured, problem);
  // The text is never repeated: a malformed one may hold a password.
  if (!settings) target.Fail("dsn", problem);
  return *settings;
}

std::unique_ptr<Collector> Make(const ConfigNode& target, const TargetOptions& options) {
  return std::make_unique<PostgresCollector>(ReadSettings(target, &options),
                                             target.Secret("password"), options);
}

}  // namespace

const CollectorKind& Kind() {
  static const CollectorKind kKind = {
      .name = "postgres",
      .help = "PostgreSQL and Document Server's tables in it (libpq)",
      .enabled_by_default = true,
      .target_flags =
          {
              {"postgres.dsn", "dsn",
               "PostgreSQL to watch, Document Server's database: a libpq connection string "
               "(host=... port=... dbname=... user=... sslmode=...) or postgresql:// URI, "
               "without the password"},
              {"postgres.password-file", "password_file", "File holding the PostgreSQL password"},
          },
      .secret_envs = {{"ONLYOFFICE_EXPORTER_POSTGRES_PASSWORD", "password_env"},
                      {"PGPASSWORD", "password_env"}},
      .keys = {"dsn", "password_file", "password_env"},
      // The largest reply is a row per database and lock mode: a few KiB.
      .defaults = {.timeout = {}, .max_body_bytes = size_t{4} << 20},
      // Document Server's own defaults (DB_NAME, DB_USER of its image).
      .default_target =
          [] {
            return YAML::Load("dsn: host=localhost port=5432 dbname=onlyoffice user=onlyoffice");
          },
      .default_name =
          [](const ConfigNode& target) {
            const auto settings = ReadSettings(target, nullptr);
            return settings.host + ":" + settings.port;
          },
      .make = Make,
  };
  return kKind;
}

}  // namespace ooe::postgres
