// nginx's own counters from its stub_status page, as nginx-prometheus-exporter names them
// (docs/metrics.md lists the mapping): one target per nginx (Document Server's inner one, the
// edge proxy in front of it).
#pragma once

#include <string>
#include <vector>

#include "base/metric_set.h"
#include "collectors/collector.h"
#include "collectors/http/client.h"
#include "collectors/nginx/parser.h"
#include "collectors/target.h"

namespace ooe::nginx {

// The samples of one parsed page: pure, so tests feed it captured pages.
void BuildMetrics(const StubStatus& status, MetricSet& metrics);

class NginxCollector final : public Collector {
 public:
  NginxCollector(std::string status_url, const TargetOptions& options);

  std::vector<Error> Collect(const ScrapeContext& context, MetricSet& metrics) override;
  const std::vector<VerdictSeries>& Verdicts() const override;
  std::string Describe() const override { return RedactUrl(status_url_); }

 private:
  std::optional<Error> Problem(const HttpRequest& request, const HttpResponse& response) const;

  std::string status_url_;
  TargetOptions options_;
  HttpClient http_;
};

}  // namespace ooe::nginx
