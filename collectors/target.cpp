#include "collectors/target.h"

#include <algorithm>
#include <vector>

namespace ooe {

Clock::time_point TargetOptions::Deadline(Clock::time_point scrape_deadline) const {
  if (timeout.count() <= 0) return scrape_deadline;
  return std::min(scrape_deadline, Clock::now() + timeout);
}

TargetOptions ParseTargetOptions(const ConfigNode& target, const TargetDefaults& defaults,
                                 const std::string& default_name) {
  TargetOptions options;
  options.name = target.String("name", default_name);
  if (options.name.empty()) target.Fail("name", "must not be empty");
  options.timeout = target.Duration("timeout", defaults.timeout);
  if (target.Has("timeout") && options.timeout.count() <= 0) {
    target.Fail("timeout", "must be longer than 0");
  }
  options.max_body_bytes = target.Bytes("max_body_size", defaults.max_body_bytes);
  if (options.max_body_bytes == 0) target.Fail("max_body_size", "must be more than 0");
  const auto tls = target.Child("tls_config");
  options.tls_configured = target.Has("tls_config");
  tls.ExpectOnly({"ca_file", "cert_file", "key_file", "server_name", "insecure_skip_verify"});
  options.tls.ca_file = tls.String("ca_file", "");
  options.tls.cert_file = tls.String("cert_file", "");
  options.tls.key_file = tls.String("key_file", "");
  options.tls.server_name = tls.String("server_name", "");
  options.tls.insecure_skip_verify = tls.Bool("insecure_skip_verify", false);
  if (options.tls.cert_file.empty() != options.tls.key_file.empty()) {
    tls.Fail(options.tls.cert_file.empty() ? "cert_file" : "key_file",
             "a client certificate needs both cert_file and key_file");
  }
  return options;
}

std::optional<std::regex> ParseRegex(const ConfigNode& target, std::string_view key) {
  const auto text = target.String(key, "");
  if (text.empty()) return std::nullopt;
  try {
    return std::regex(text, std::regex::ECMAScript | std::regex::optimize);
  } catch (const std::regex_error& error) {
    target.Fail(key, "'" + text + "' is not a valid regular expression: " + error.what());
  }
}

}  // namespace ooe
