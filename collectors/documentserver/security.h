// Document Server's security posture, seen as an attacker would see it: whether CommandService
// takes a command without a token (JWT off), whether it takes one signed with a publicly known
// secret (the seed's your_jwt_secret_key_here, "secret" ...), and the certificates its https
// endpoints present. Never which secret: only whether one was accepted.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/metric_set.h"
#include "collectors/http/client.h"

namespace ooe::documentserver {

// Secrets published in examples and defaults, tried against CommandService.
std::vector<std::string> BuiltInKnownSecrets();

struct SecuritySettings {
  bool probe_jwt = true;
  // Each rejected probe leaves a `checkJwt error` WARN line in Document Server's log: they run
  // once, then at most this often.
  std::chrono::milliseconds interval = std::chrono::minutes(10);
  std::vector<std::string> known_secrets = BuiltInKnownSecrets();
};

// What CommandService said to the probes.
struct JwtVerdict {
  bool enforced = false;                 // a command without a token was refused (error 6)
  std::optional<bool> default_accepted;  // unset when JWT is off: everything is accepted then
};

// The probes' answers (one unsigned, then one per known secret) as a verdict; nullopt when they
// did not all come as CommandService replies (the server is down: the healthcheck says so).
std::optional<JwtVerdict> JudgeJwtProbes(const std::vector<HttpResponse>& responses);

class SecurityProbe {
 public:
  explicit SecurityProbe(SecuritySettings settings) : settings_(std::move(settings)) {}

  // The probe requests due in this scrape, made from `command` (a CommandService `version`
  // request without a token, sent where the exporter's own commands go) and signed by `sign`
  // (secret -> the request carrying the token); none when the last probe is recent.
  std::vector<HttpRequest> DueRequests(
      const HttpRequest& command, const std::function<HttpRequest(const std::string& secret)>& sign,
      Clock::time_point now);
  // The answers of DueRequests(), in order.
  void TakeJwtAnswers(const std::vector<HttpResponse>& responses);

  // The certificate `via`'s https endpoint presented in this scrape; a reply on a kept
  // connection presents none, and the last one seen stands.
  void TakeCertificate(const std::string& via, const CertificateReport& report);

  void AddMetrics(MetricSet& metrics) const;

 private:
  SecuritySettings settings_;
  std::optional<Clock::time_point> probed_at_;
  std::optional<JwtVerdict> jwt_;
  double probed_at_unix_ = 0;
  std::map<std::string, CertificateReport> certificates_;  // by via
};

}  // namespace ooe::documentserver
