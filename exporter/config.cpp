#include "exporter/config.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <charconv>
#include <map>
#include <optional>
#include <ostream>
#include <set>

#include "base/config_node.h"
#include "collectors/registry.h"
#include "exporter/flags.h"
#include "exporter/listen_address.h"
#include "exporter/version.h"

namespace ooe {
namespace {

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

ConfigError YamlError(const std::string& origin, const YAML::Exception& error) {
  return ConfigError(origin,
                     "line " + std::to_string(error.mark.line + 1) + " column " +
                         std::to_string(error.mark.column + 1),
                     error.msg);
}

// Everything after the config file is read: its settings, then the flags over them, then the
// collectors' targets (from the file and from the single-target flags).
void ApplyConfig(const YAML::Node& file_root, const std::string& file_origin,
                 const FlagValues& flags, const EnvironmentLookup& environment,
                 ExporterOptions& options);

}  // namespace

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

// Rejects a `collectors:` key that names no kind (a typo would switch nothing on).
void CheckKindNames(const ConfigNode& collectors) {
  if (!collectors.Yaml().IsMap()) return;
  for (const auto& entry : collectors.Yaml()) {
    if (!entry.first.IsScalar()) collectors.Fail("(key)", "must be a collector kind's name");
    if (FindCollectorKind(entry.first.Scalar()) == nullptr) {
      collectors.Fail(entry.first.Scalar(), "unknown collector kind");
    }
  }
}

// The exporter's own flags, over what the file said.
void ApplyExporterFlags(const FlagValues& flags, const std::string& file_origin,
                        ExporterOptions& options) {
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
  if (const auto flag = Lookup(flags, "web.max-connections")) {
    int connections = 0;
    const auto [end, error] =
        std::from_chars(flag->value.data(), flag->value.data() + flag->value.size(), connections);
    if (error != std::errc() || end != flag->value.data() + flag->value.size() || connections < 8 ||
        connections > 8192) {
      throw ConfigError(kCommandLine, flag->source,
                        "must be a number from 8 to 8192, not '" + flag->value + "'");
    }
    options.max_connections = connections;
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
}

// The one target the single-target flags make (as the peer exporters have them), with a secret
// from the kind's variables where no flag names one; nullopt without any of its flags.
std::optional<ConfigNode> FlagTarget(const CollectorKind& kind, const FlagValues& flags,
                                     const EnvironmentLookup& environment) {
  YAML::Node target;
  std::map<std::string, std::string> key_names;
  for (const auto& target_flag : kind.target_flags) {
    if (const auto flag = Lookup(flags, std::string(target_flag.flag))) {
      target[std::string(target_flag.key)] = flag->value;
      key_names[std::string(target_flag.key)] = flag->source;
    }
  }
  if (target.size() == 0) return std::nullopt;
  for (const auto& secret : kind.secret_envs) {
    const std::string key(secret.key);
    if (target[key]) continue;
    const std::string variable(secret.variable);
    if (const char* value = environment(variable.c_str()); value && *value) {
      target[key] = variable;
      key_names[key] = variable;
    }
  }
  return ConfigNode(target, kCommandLine, "", key_names);
}

// Every target of one kind: the file's, the flags' one, else the default when switched on
// explicitly without any.
std::vector<ConfigNode> KindTargets(const CollectorKind& kind, const ConfigNode& section,
                                    bool explicitly_enabled, const FlagValues& flags,
                                    const EnvironmentLookup& environment) {
  std::vector<ConfigNode> targets;
  if (section.Has("targets")) {
    const auto list = section.Yaml()["targets"];
    if (!list.IsSequence()) section.Fail("targets", "must be a list of targets");
    for (size_t i = 0; i < list.size(); ++i) {
      targets.emplace_back(list[i], section.Origin(),
                           section.Path() + ".targets[" + std::to_string(i) + "]");
    }
  }
  if (auto target = FlagTarget(kind, flags, environment)) targets.push_back(std::move(*target));
  if (targets.empty() && explicitly_enabled && kind.default_target) {
    targets.emplace_back(kind.default_target(), kCommandLine,
                         "--collector." + std::string(kind.name) + " (default target)");
  }
  return targets;
}

void ConfigureKind(const CollectorKind& kind, const ConfigNode& collectors, const FlagValues& flags,
                   const EnvironmentLookup& environment, ExporterOptions& options) {
  const std::string kind_name(kind.name);
  const auto section = collectors.Child(kind.name);
  section.ExpectOnly({"enabled", "targets"});
  bool enabled = section.Bool("enabled", kind.enabled_by_default);
  bool explicitly_enabled = section.Bool("enabled", false);
  if (const auto flag = Lookup(flags, "collector." + kind_name)) {
    enabled = ParseBool(*flag);
    explicitly_enabled = enabled;
  }
  if (!enabled) return;
  std::set<std::string> names;
  for (const auto& target : KindTargets(kind, section, explicitly_enabled, flags, environment)) {
    auto collector = kind.Build(target);
    if (!names.insert(collector.target).second) {
      target.Fail("name", "target name '" + collector.target + "' is used twice for " + kind_name +
                              "; give each target its own name");
    }
    options.collectors.push_back(std::move(collector));
  }
}

void ApplyConfig(const YAML::Node& file_root, const std::string& file_origin,
                 const FlagValues& flags, const EnvironmentLookup& environment,
                 ExporterOptions& options) {
  const ConfigNode root(file_root, file_origin, "");
  root.ExpectOnly({"scrape", "collectors"});
  const auto scrape = root.Child("scrape");
  scrape.ExpectOnly({"timeout", "timeout_offset"});
  options.scrape_timeout = scrape.Duration("timeout", options.scrape_timeout);
  options.timeout_offset = scrape.Duration("timeout_offset", options.timeout_offset);
  const auto collectors = root.Child("collectors");
  CheckKindNames(collectors);
  ApplyExporterFlags(flags, file_origin, options);
  for (const auto* kind : CollectorKinds()) {
    ConfigureKind(*kind, collectors, flags, environment, options);
  }
}

}  // namespace

}  // namespace ooe
