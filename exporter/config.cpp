#include "exporter/config.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <map>
#include <optional>
#include <ostream>
#include <set>

#include "collectors/config_node.h"
#include "collectors/registry.h"
#include "exporter/version.h"
#include "exporter/web.h"

namespace ooe {
namespace {

constexpr const char* kCommandLine = "command line";

struct FlagSpec {
  std::string name;
  std::string help;
  std::string default_value;  // shown in --help
  bool is_bool = false;
};

// A flag's value and where it came from, for error messages.
struct FlagValue {
  std::string value;
  std::string source;  // "--redis.addr" or "ONLYOFFICE_EXPORTER_REDIS_ADDR"
};

std::vector<FlagSpec> AllFlags() {
  std::vector<FlagSpec> flags = {
      {"web.listen-address", "Address to listen on for metrics and the landing page.",
       kDefaultListenAddress},
      {"web.telemetry-path", "Path under which to expose metrics.", "/metrics"},
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
  for (const auto& kind : CollectorKinds()) {
    flags.push_back(
        {"collector." + std::string(kind.name),
         "Enable the " + std::string(kind.name) + " collector (" + std::string(kind.help) + ").",
         kind.enabled_by_default ? "true" : "false", true});
    for (const auto& target_flag : kind.target_flags) {
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

LogLevel ParseLogLevel(const std::string& text, const std::string& origin, const std::string& key) {
  if (text == "debug") return LogLevel::kDebug;
  if (text == "info") return LogLevel::kInfo;
  if (text == "warn") return LogLevel::kWarn;
  if (text == "error") return LogLevel::kError;
  throw ConfigError(origin, key, "must be debug, info, warn or error, not '" + text + "'");
}

LogFormat ParseLogFormat(const std::string& text, const std::string& origin,
                         const std::string& key) {
  if (text == "logfmt") return LogFormat::kLogfmt;
  if (text == "json") return LogFormat::kJson;
  throw ConfigError(origin, key, "must be logfmt or json, not '" + text + "'");
}

std::map<std::string, FlagValue> ReadFlags(int argc, const char* const* argv,
                                           const std::vector<FlagSpec>& specs, bool& help,
                                           bool& version) {
  std::map<std::string, const FlagSpec*> by_name;
  for (const auto& spec : specs) by_name[spec.name] = &spec;
  std::map<std::string, FlagValue> values;
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

std::optional<FlagValue> Lookup(const std::map<std::string, FlagValue>& flags,
                                const std::string& name) {
  const auto found = flags.find(name);
  if (found == flags.end()) return std::nullopt;
  return found->second;
}

ConfigError YamlError(const std::string& origin, const YAML::Exception& error) {
  return ConfigError(origin,
                     "line " + std::to_string(error.mark.line + 1) + " column " +
                         std::to_string(error.mark.column + 1),
                     error.msg);
}

// Everything after the config file is read: its settings, then the flags over them, then the
// collectors' targets (from the file and from the single-target flags).
void ApplyConfig(const YAML::Node& file_root, const std::string& file_origin,
                 const std::map<std::string, FlagValue>& flags,
                 const EnvironmentLookup& environment, ExporterOptions& options);

}  // namespace

std::string EnvironmentName(std::string_view flag) {
  std::string name = "ONLYOFFICE_EXPORTER_";
  for (const char c : flag) {
    name.push_back(std::isalnum(static_cast<unsigned char>(c))
                       ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
                       : '_');
  }
  return name;
}

CommandLineAction ParseCommandLine(int argc, const char* const* argv,
                                   const EnvironmentLookup& environment, std::ostream& out,
                                   ExporterOptions& options) {
  const auto specs = AllFlags();
  bool help = false;
  bool version = false;
  auto flags = ReadFlags(argc, argv, specs, help, version);
  if (help) {
    PrintHelp(out, specs);
    return CommandLineAction::kExit;
  }
  if (version) {
    out << VersionLine() << "\n";
    return CommandLineAction::kExit;
  }
  // A flag on the command line wins over its environment variable.
  for (const auto& spec : specs) {
    if (flags.contains(spec.name)) continue;
    const auto variable = EnvironmentName(spec.name);
    if (const char* value = environment(variable.c_str()); value != nullptr && *value != '\0') {
      flags[spec.name] = {value, variable};
    }
  }

  // The config file: scrape settings and any number of targets per collector kind.
  YAML::Node file_root;
  std::string file_origin = kCommandLine;
  if (const auto path = Lookup(flags, "config.file")) {
    options.config_file = path->value;
    file_origin = path->value;
    try {
      file_root = YAML::LoadFile(path->value);
    } catch (const YAML::BadFile&) {
      throw ConfigError(path->value, "(file)", "cannot be read");
    } catch (const YAML::Exception& error) {
      throw YamlError(path->value, error);
    }
  }
  ApplyConfig(file_root, file_origin, flags, environment, options);
  return CommandLineAction::kRun;
}

Parsed<ExporterOptions> ParseConfigText(std::string_view yaml, const std::string& origin) {
  ExporterOptions options;
  try {
    YAML::Node root;
    try {
      root = YAML::Load(std::string(yaml));
    } catch (const YAML::Exception& error) {
      throw YamlError(origin, error);
    }
    ApplyConfig(
        root, origin, {}, [](const char*) -> const char* { return nullptr; }, options);
  } catch (const ConfigError& error) {
    return Parsed<ExporterOptions>::Failure(error.what());
  }
  return Success(std::move(options));
}

namespace {

void ApplyConfig(const YAML::Node& file_root, const std::string& file_origin,
                 const std::map<std::string, FlagValue>& flags,
                 const EnvironmentLookup& environment, ExporterOptions& options) {
  const ConfigNode root(file_root, file_origin, "");
  root.ExpectOnly({"scrape", "collectors"});
  const auto scrape = root.Child("scrape");
  scrape.ExpectOnly({"timeout", "timeout_offset"});
  options.scrape_timeout = scrape.Duration("timeout", options.scrape_timeout);
  options.timeout_offset = scrape.Duration("timeout_offset", options.timeout_offset);
  const auto collectors = root.Child("collectors");
  {
    std::vector<std::string_view> known;
    for (const auto& kind : CollectorKinds()) known.push_back(kind.name);
    if (collectors.Yaml().IsMap()) {
      for (const auto& entry : collectors.Yaml()) {
        if (!entry.first.IsScalar()) collectors.Fail("(key)", "must be a collector kind's name");
        const auto& key = entry.first.Scalar();
        if (std::find(known.begin(), known.end(), key) == known.end()) {
          collectors.Fail(key, "unknown collector kind");
        }
      }
    }
  }

  if (const auto flag = Lookup(flags, "web.listen-address")) {
    try {
      CivetListeningPort(flag->value);
    } catch (const std::invalid_argument& error) {
      throw ConfigError(kCommandLine, flag->source, error.what());
    }
    options.listen_address = flag->value;
  }
  if (const auto flag = Lookup(flags, "web.telemetry-path")) {
    if (!flag->value.starts_with("/")) {
      throw ConfigError(kCommandLine, flag->source, "must start with /");
    }
    options.telemetry_path = flag->value;
  }
  if (const auto flag = Lookup(flags, "web.config.file")) {
    options.web_config_file = flag->value;
    options.web_config = LoadWebConfig(flag->value);
  }
  if (const auto flag = Lookup(flags, "log.level")) {
    options.log_level = ParseLogLevel(flag->value, kCommandLine, flag->source);
  }
  if (const auto flag = Lookup(flags, "log.format")) {
    options.log_format = ParseLogFormat(flag->value, kCommandLine, flag->source);
  }
  if (const auto flag = Lookup(flags, "scrape.timeout")) {
    options.scrape_timeout = ParseFlagDuration(*flag);
  }
  if (const auto flag = Lookup(flags, "scrape.timeout-offset")) {
    options.timeout_offset = ParseFlagDuration(*flag);
  }
  if (options.scrape_timeout.count() <= 0) {
    throw ConfigError(file_origin, "scrape.timeout", "must be more than 0");
  }

  for (const auto& kind : CollectorKinds()) {
    const std::string kind_name(kind.name);
    const auto section = collectors.Child(kind.name);
    section.ExpectOnly({"enabled", "targets"});
    bool enabled = section.Bool("enabled", kind.enabled_by_default);
    bool explicitly_enabled = section.Bool("enabled", false);
    if (const auto flag = Lookup(flags, "collector." + kind_name)) {
      enabled = ParseBool(*flag);
      explicitly_enabled = enabled;
    }
    if (!enabled) continue;

    std::vector<ConfigNode> targets;
    if (section.Has("targets")) {
      const auto target_list = section.Yaml()["targets"];
      if (!target_list.IsSequence()) section.Fail("targets", "must be a list of targets");
      for (size_t i = 0; i < target_list.size(); ++i) {
        targets.emplace_back(target_list[i], file_origin,
                             section.Path() + ".targets[" + std::to_string(i) + "]");
      }
    }
    // The single-target flags (as the peer exporters have them) make one more target.
    YAML::Node flag_target;
    std::map<std::string, std::string> flag_key_names;
    for (const auto& target_flag : kind.target_flags) {
      if (const auto flag = Lookup(flags, std::string(target_flag.flag))) {
        flag_target[std::string(target_flag.key)] = flag->value;
        flag_key_names[std::string(target_flag.key)] = flag->source;
      }
    }
    if (flag_target.size() > 0) {
      for (const auto& secret : kind.secret_envs) {
        const std::string key(secret.key);
        if (flag_target[key]) continue;
        const std::string variable(secret.variable);
        if (const char* value = environment(variable.c_str()); value && *value) {
          flag_target[key] = variable;
          flag_key_names[key] = variable;
        }
      }
      targets.emplace_back(flag_target, kCommandLine, "", flag_key_names);
    }

    if (targets.empty() && explicitly_enabled && kind.default_target) {
      targets.emplace_back(kind.default_target(), kCommandLine,
                           "--collector." + kind_name + " (default target)");
    }

    std::set<std::string> names;
    for (const auto& target : targets) {
      std::shared_ptr<Collector> collector = kind.make(target);
      if (!names.insert(collector->Target()).second) {
        target.Fail("name", "target name '" + collector->Target() + "' is used twice for " +
                                kind_name + "; give each target its own name");
      }
      options.collectors.push_back(std::move(collector));
    }
  }
}

}  // namespace

}  // namespace ooe
