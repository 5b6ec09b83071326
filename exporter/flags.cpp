#include "exporter/flags.h"

#include "base/config_node.h"
#include "collectors/registry.h"
#include "exporter/config.h"

namespace ooe {

std::vector<FlagSpec> AllFlags() {
  std::vector<FlagSpec> flags = {
      {"web.listen-address", "Address to listen on for metrics and the landing page.",
       kDefaultListenAddress},
      {"web.telemetry-path", "Path under which to expose metrics.", "/metrics"},
      {"web.max-connections",
       "Connections served at once, slow clients' included (each costs a thread).", "512"},
      {"web.config.file",
       "Path to a web configuration file (exporter-toolkit format: TLS, basic auth).", ""},
      {"config.file", "Path to the YAML configuration file (targets, collectors).", ""},
      {"log.level",
       "Only log messages with the given severity or above: debug, info, warn, "
       "error.",
       "info"},
      {"log.format", "Output format of log messages: logfmt or json.", "logfmt"},
      {"scrape.timeout",
       "Collection deadline when the scrape carries no X-Prometheus-Scrape-Timeout-Seconds.",
       "10s"},
      {"scrape.timeout-offset", "Taken off Prometheus' scrape timeout to leave time to answer.",
       "500ms"},
  };
  for (const auto* kind : CollectorKinds()) {
    flags.push_back(
        {"collector." + std::string(kind->name),
         "Enable the " + std::string(kind->name) + " collector (" + std::string(kind->help) + ").",
         kind->enabled_by_default ? "true" : "false", true});
    for (const auto& target_flag : kind->target_flags) {
      flags.push_back({std::string(target_flag.flag), std::string(target_flag.help), ""});
    }
  }
  return flags;
}

void PrintHelp(std::ostream& out, const std::vector<FlagSpec>& flags) {
  out << "usage: onlyoffice-exporter [<flags>]\n\n"
         "Prometheus exporter for ONLYOFFICE Document Server stacks.\n\nFlags:\n"
         "  -h, --help     Show this help.\n"
         "      --version  Show the version.\n";
  for (const auto& flag : flags) {
    out << "      --" << (flag.is_bool ? "[no-]" : "") << flag.name
        << (flag.is_bool ? "" : "=VALUE") << "\n          " << flag.help;
    if (!flag.default_value.empty()) out << " Default: " << flag.default_value << ".";
    out << " Env: " << EnvironmentName(flag.name) << "\n";
  }
  out << "\nSecrets come from files (--redis.password-file, password_file in the config) or\n"
         "from environment variables (ONLYOFFICE_EXPORTER_REDIS_PASSWORD, password_env in the\n"
         "config), never from flags.\n";
}

bool ParseBool(const FlagValue& flag) {
  if (flag.value == "true" || flag.value == "1" || flag.value.empty()) return true;
  if (flag.value == "false" || flag.value == "0") return false;
  throw ConfigError(kCommandLine, flag.source, "must be true or false, not '" + flag.value + "'");
}

std::chrono::milliseconds ParseFlagDuration(const FlagValue& flag) {
  const auto parsed = ParseDuration(flag.value);
  if (!parsed) {
    throw ConfigError(kCommandLine, flag.source,
                      "must be a duration like 10s or 500ms, not '" + flag.value + "'");
  }
  return *parsed;
}

FlagValues ReadFlags(int argc, const char* const* argv, const std::vector<FlagSpec>& specs,
                     bool& help, bool& version) {
  std::map<std::string, const FlagSpec*> by_name;
  for (const auto& spec : specs) by_name[spec.name] = &spec;
  FlagValues values;
  for (int i = 1; i < argc; ++i) {
    std::string argument = argv[i];
    if (argument == "-h" || argument == "--help") {
      help = true;
      continue;
    }
    if (argument == "--version") {
      version = true;
      continue;
    }
    if (!argument.starts_with("--")) {
      throw ConfigError(kCommandLine, argument, "unexpected argument (flags start with --)");
    }
    std::string name = argument.substr(2);
    std::optional<std::string> value;
    if (const auto equals = name.find('='); equals != std::string::npos) {
      value = name.substr(equals + 1);
      name.resize(equals);
    }
    bool negated = false;
    if (!by_name.contains(name) && name.starts_with("no-") && by_name.contains(name.substr(3)) &&
        by_name[name.substr(3)]->is_bool) {
      negated = true;
      name = name.substr(3);
    }
    const auto spec = by_name.find(name);
    if (spec == by_name.end()) {
      throw ConfigError(kCommandLine, "--" + name, "unknown flag (see --help)");
    }
    if (name.ends_with("password") || name.ends_with("token") || name.ends_with("secret")) {
      throw ConfigError(kCommandLine, "--" + name, "secrets are not taken from flags");
    }
    if (spec->second->is_bool) {
      if (negated && value) {
        throw ConfigError(kCommandLine, "--no-" + name, "takes no value");
      }
      values[name] = {negated ? "false" : value.value_or("true"), "--" + name};
      continue;
    }
    if (!value) {
      if (i + 1 >= argc) throw ConfigError(kCommandLine, "--" + name, "needs a value");
      value = argv[++i];
    }
    values[name] = {*value, "--" + name};
  }
  return values;
}

std::optional<FlagValue> Lookup(const FlagValues& flags, const std::string& name) {
  const auto found = flags.find(name);
  if (found == flags.end()) return std::nullopt;
  return found->second;
}

std::string EnvironmentName(std::string_view flag) {
  std::string name = "ONLYOFFICE_EXPORTER_";
  for (const char c : flag) {
    name.push_back(std::isalnum(static_cast<unsigned char>(c))
                       ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
                       : '_');
  }
  return name;
}

}  // namespace ooe
