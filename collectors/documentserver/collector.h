// ONLYOFFICE Document Server: /healthcheck through nginx (what editors reach) and on docservice
// itself, /info/info.json, and CommandService.ashx (version, license) with JWT.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/metric_set.h"
#include "collectors/collector.h"
#include "collectors/documentserver/parser.h"
#include "collectors/documentserver/security.h"
#include "collectors/documentserver/status_metrics.h"
#include "collectors/http/client.h"
#include "collectors/target.h"

namespace ooe::documentserver {

struct Settings {
  std::string url;             // public base URL, through nginx
  std::string docservice_url;  // optional: docservice itself (:8000)
  std::vector<std::string> commands;
  std::optional<std::string> jwt_secret;
  std::string jwt_secret_origin;  // where the secret came from, for messages (never the secret)
  std::string jwt_header = "Authorization";
  bool jwt_in_body = false;
  SecuritySettings security;
};

class DocumentServerCollector final : public Collector {
 public:
  DocumentServerCollector(Settings settings, const TargetOptions& options);

  std::vector<Error> Collect(const ScrapeContext& context, MetricSet& metrics) override;
  const std::vector<VerdictSeries>& Verdicts() const override { return verdicts_; }
  std::string Describe() const override;

 private:
  HttpRequest Get(std::string url) const;
  // A CommandService request, signed with `secret` when it has one.
  HttpRequest Command(const std::string& command, const std::optional<std::string>& secret) const;
  // The certificates the https healthchecks presented; where verification failed, read again
  // without it, so the expiry is known even then.
  void ReportCertificates(const ScrapeContext& context, const std::vector<std::string>& vias,
                          const std::vector<HttpRequest>& requests,
                          const std::vector<HttpResponse>& responses);
  void ReportProbe(const std::string& via, const HttpRequest& request, const HttpResponse& response,
                   MetricSet& metrics, std::vector<Error>& errors);
  bool ReportInfo(const HttpRequest& request, const HttpResponse& response, MetricSet& metrics,
                  std::vector<Error>& errors) const;
  void ReportCommands(const std::vector<HttpRequest>& requests,
                      const std::vector<HttpResponse>& responses, size_t first, bool have_info,
                      MetricSet& metrics, std::vector<Error>& errors) const;
  std::optional<Error> CommandProblem(const HttpRequest& request, const CommandReply& reply) const;

  Settings settings_;
  TargetOptions options_;
  std::vector<VerdictSeries> verdicts_;
  // Healthchecks failed in a row, by via: two in a row are an outage, one may be a restart.
  std::map<std::string, int> failing_streak_;
  SecurityProbe security_;
  HttpClient http_;
};

}  // namespace ooe::documentserver
