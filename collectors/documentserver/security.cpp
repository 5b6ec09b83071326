#include "collectors/documentserver/security.h"

#include "base/deadline.h"
#include "collectors/documentserver/parser.h"

namespace ooe::documentserver {
namespace {

std::optional<int> CommandError(const HttpResponse& response) {
  if (!response.Ok() || response.status != 200) return std::nullopt;
  const auto reply = ParseCommandReply(response.body);
  if (!reply) return std::nullopt;
  return reply->error;
}

}  // namespace

std::vector<std::string> BuiltInKnownSecrets() {
  return {
      "your_jwt_secret_key_here",  // the seed's compose file
      "secret",                    // ONLYOFFICE's Docker examples, JWT_SECRET=secret
      "my_jwt_secret",             // ONLYOFFICE's docker run examples
      "your-256-bit-secret",       // jwt.io's example, copied into compose files
      "your-secret-key",
      "changeme",
  };
}

std::optional<JwtVerdict> JudgeJwtProbes(const std::vector<HttpResponse>& responses) {
  if (responses.empty()) return std::nullopt;
  const auto unsigned_error = CommandError(responses.front());
  if (!unsigned_error) return std::nullopt;
  JwtVerdict verdict;
  // 6: token missing or invalid; 0: the command ran without one.
  verdict.enforced = *unsigned_error == 6;
  if (!verdict.enforced) return verdict;
  bool accepted = false;
  for (size_t i = 1; i < responses.size(); ++i) {
    const auto error = CommandError(responses[i]);
    if (!error) return std::nullopt;
    accepted = accepted || *error == 0;
  }
  verdict.default_accepted = accepted;
  return verdict;
}

std::vector<HttpRequest> SecurityProbe::DueRequests(
    const HttpRequest& command, const std::function<HttpRequest(const std::string&)>& sign,
    Clock::time_point now) {
  if (!settings_.probe_jwt) return {};
  if (probed_at_ && now - *probed_at_ < settings_.interval) return {};
  probed_at_ = now;
  std::vector<HttpRequest> requests = {command};
  for (const auto& secret : settings_.known_secrets) requests.push_back(sign(secret));
  return requests;
}

void SecurityProbe::TakeJwtAnswers(const std::vector<HttpResponse>& responses) {
  if (responses.empty()) return;
  // A server that did not answer keeps no verdict: the next scrape probes again.
  if (auto verdict = JudgeJwtProbes(responses)) {
    jwt_ = verdict;
    probed_at_unix_ = UnixNow();
  } else {
    probed_at_.reset();
  }
}

void SecurityProbe::TakeCertificate(const std::string& via, const CertificateReport& report) {
  auto& kept = certificates_[via];
  // A reply on a kept connection has no chain to read: the expiry seen on it stands.
  const auto expiry = report.earliest_expiry ? report.earliest_expiry : kept.earliest_expiry;
  kept = report;
  kept.earliest_expiry = expiry;
}

void SecurityProbe::AddMetrics(MetricSet& metrics) const {
  if (jwt_) {
    metrics.Gauge("onlyoffice_documentserver_jwt_enforced",
                  "1 when CommandService refuses a command without a token (JWT on), 0 when it "
                  "runs it.",
                  jwt_->enforced ? 1 : 0);
    if (jwt_->default_accepted) {
      metrics.Gauge("onlyoffice_documentserver_jwt_known_secret_accepted",
                    "1 when CommandService accepts a token signed with a publicly known secret "
                    "(which one is never said).",
                    *jwt_->default_accepted ? 1 : 0);
    }
    metrics.Gauge("onlyoffice_documentserver_security_probe_timestamp_seconds",
                  "When the JWT probes last got an answer, unix seconds.", probed_at_unix_);
  }
  for (const auto& [via, report] : certificates_) {
    const Labels labels = {{"via", via}};
    if (report.earliest_expiry) {
      metrics.Gauge("onlyoffice_documentserver_ssl_earliest_cert_expiry_timestamp_seconds",
                    "When the first certificate of the chain the https endpoint presents expires, "
                    "unix seconds (blackbox_exporter's probe_ssl_earliest_cert_expiry).",
                    *report.earliest_expiry, labels);
    }
    metrics.Gauge("onlyoffice_documentserver_ssl_verified",
                  "1 when the https endpoint's certificate verified against the configured CAs "
                  "(and its name matched), 0 when not or when verification is off.",
                  report.verified ? 1 : 0, labels);
  }
}

}  // namespace ooe::documentserver
