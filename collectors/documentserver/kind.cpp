#include "collectors/documentserver/kind.h"

#include <filesystem>
#include <fstream>

#include "collectors/documentserver/collector.h"
#include "collectors/documentserver/log_watch.h"

namespace ooe::documentserver {
namespace {

std::string BaseUrl(const ConfigNode& target, std::string_view key, bool required) {
  std::string url = required ? target.RequiredString(key) : target.String(key, "");
  while (url.ends_with("/")) url.pop_back();
  if (url.empty() && !required) return url;
  if (!url.starts_with("http://") && !url.starts_with("https://")) {
    target.Fail(key, "'" + url + "' must be an http:// or https:// base URL");
  }
  if (url.find('@') != std::string::npos || url.find('?') != std::string::npos) {
    target.Fail(key,
                "'" + RedactUrl(url) + "' must be a plain base URL (no credentials, no query)");
  }
  return url;
}

// The JWT probes: on by default, every 10 minutes; more known secrets from a file, one a line
// (a list of secrets is kept out of the configuration, as every secret is).
SecuritySettings ReadSecurity(const ConfigNode& target) {
  SecuritySettings security;
  security.probe_jwt = target.Bool("security_probes", security.probe_jwt);
  security.interval = target.Duration("security_probe_interval", security.interval);
  if (security.interval.count() <= 0) {
    target.Fail("security_probe_interval", "must be longer than 0");
  }
  if (target.Has("known_secrets_file")) {
    const auto path = target.String("known_secrets_file", "");
    std::ifstream file(path);
    if (!file) target.Fail("known_secrets_file", "cannot read '" + path + "'");
    for (std::string line; std::getline(file, line);) {
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
      if (!line.empty() && line.front() != '#') security.known_secrets.push_back(line);
    }
  }
  return security;
}

// The log files to follow: the packaged image's layout under `log_dir`, each file's own key
// (relative to log_dir, or absolute) where given, "" for one not to follow.
LogPaths ReadLogPaths(const ConfigNode& target) {
  const std::string log_dir = target.String("log_dir", "");
  LogPaths paths = log_dir.empty() ? LogPaths{} : PackagedLayout(log_dir);
  const auto file = [&](std::string_view key, std::string& path) {
    if (!target.Has(key)) return;
    const std::filesystem::path given = target.String(key, "");
    path = given.empty() || given.is_absolute() || log_dir.empty()
               ? given.string()
               : (std::filesystem::path(log_dir) / given).string();
  };
  file("nginx_error_log", paths.nginx_error);
  file("docservice_log", paths.docservice);
  file("converter_log", paths.converter);
  return paths;
}

std::unique_ptr<Collector> Make(const ConfigNode& target, const TargetOptions& options) {
  Settings settings;
  settings.url = BaseUrl(target, "url", true);
  settings.docservice_url = BaseUrl(target, "docservice_url", false);
  settings.commands = target.Has("commands") ? target.StringList("commands")
                                             : std::vector<std::string>{"version", "license"};
  for (const auto& command : settings.commands) {
    if (command != "version" && command != "license") {
      target.Fail("commands", "'" + command + "' is not one the exporter reads (version, license)");
    }
  }
  settings.jwt_secret = target.Secret("jwt_secret");
  if (settings.jwt_secret) {
    if (settings.jwt_secret->empty()) target.Fail("jwt_secret_file", "the secret is empty");
    settings.jwt_secret_origin = target.Has("jwt_secret_file")
                                     ? target.String("jwt_secret_file", "")
                                     : std::string("$").append(target.String("jwt_secret_env", ""));
  }
  settings.jwt_header = target.String("jwt_header", settings.jwt_header);
  if (settings.jwt_header.empty() ||
      settings.jwt_header.find_first_of(": \r\n") != std::string::npos) {
    target.Fail("jwt_header", "'" + settings.jwt_header + "' is not an HTTP header name");
  }
  settings.jwt_in_body = target.Bool("jwt_in_body", false);
  settings.security = ReadSecurity(target);
  auto probes = std::make_unique<DocumentServerCollector>(std::move(settings), options);
  const LogPaths logs = ReadLogPaths(target);
  if (logs.Empty()) return probes;
  return std::make_unique<WithLogs>(std::move(probes), logs);
}

}  // namespace

const CollectorKind& Kind() {
  static const CollectorKind kKind = {
      .name = "documentserver",
      .help = "Document Server: /healthcheck via nginx and docservice, info.json, CommandService",
      .enabled_by_default = true,
      .target_flags =
          {
              {"documentserver.url", "url",
               "Document Server's public base URL, through nginx, e.g. http://documentserver"},
              {"documentserver.docservice-url", "docservice_url",
               "docservice itself (port 8000), for /info/info.json and telling a 502 apart"},
              {"documentserver.jwt-secret-file", "jwt_secret_file",
               "File holding Document Server's JWT secret, for CommandService"},
              {"documentserver.jwt-header", "jwt_header",
               "Header that carries the JWT (default Authorization)"},
              {"documentserver.security-probe-interval", "security_probe_interval",
               "How often CommandService is probed for JWT off and publicly known secrets "
               "(default 10m; each rejected probe leaves a WARN line in its log)"},
              {"documentserver.security-probes", "security_probes",
               "Probe CommandService for JWT off and publicly known secrets (default true)"},
              {"documentserver.log-dir", "log_dir",
               "Document Server's log directory (/var/log/onlyoffice in its image): follows "
               "documentserver/nginx.error.log, docservice/out.log and converter/out.log"},
          },
      .secret_envs = {{"ONLYOFFICE_EXPORTER_DOCUMENTSERVER_JWT_SECRET", "jwt_secret_env"},
                      {"JWT_SECRET", "jwt_secret_env"}},
      .keys = {"url", "docservice_url", "commands", "jwt_secret_file", "jwt_secret_env",
               "jwt_header", "jwt_in_body", "security_probes", "security_probe_interval",
               "known_secrets_file", "log_dir", "nginx_error_log", "docservice_log",
               "converter_log"},
      // Each request's own limit: a hung database makes /healthcheck send nothing at all.
      .defaults = {.timeout = std::chrono::seconds(5), .max_body_bytes = size_t{1} << 20},
      .default_target = [] { return YAML::Load("url: http://localhost"); },
      .default_name =
          [](const ConfigNode& target) {
            const auto url = BaseUrl(target, "url", true);
            return url.substr(url.find("://") + 3);
          },
      .make = Make,
  };
  return kKind;
}

}  // namespace ooe::documentserver
