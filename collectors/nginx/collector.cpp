#include "collectors/nginx/collector.h"

namespace ooe::nginx {
namespace {

constexpr std::string_view kUp = "nginx_up";
constexpr std::string_view kUpHelp = "Status of the last metric scrape";

// nginx-prometheus-exporter's names and help texts. Its two connection counters have no
// `_total`, which promtool's lint rejects on a counter: untyped keeps the names dashboards query,
// and PromQL (rate() included) treats the series the same.
constexpr FieldMetric<StubStatus> kStubStatusMetrics[] = {
    {&StubStatus::active, "nginx_connections_active", MetricKind::kGauge,
     "Active client connections"},
    {&StubStatus::accepted, "nginx_connections_accepted", MetricKind::kUntyped,
     "Accepted client connections"},
    {&StubStatus::handled, "nginx_connections_handled", MetricKind::kUntyped,
     "Handled client connections"},
    {&StubStatus::reading, "nginx_connections_reading", MetricKind::kGauge,
     "Connections where NGINX is reading the request header"},
    {&StubStatus::writing, "nginx_connections_writing", MetricKind::kGauge,
     "Connections where NGINX is writing the response back to the client"},
    {&StubStatus::waiting, "nginx_connections_waiting", MetricKind::kGauge,
     "Idle client connections"},
    {&StubStatus::requests, "nginx_http_requests_total", MetricKind::kCounter,
     "Total http requests"},
};

}  // namespace

void BuildMetrics(const StubStatus& status, MetricSet& metrics) {
  AddFieldMetrics(status, kStubStatusMetrics, {}, metrics);
}

NginxCollector::NginxCollector(std::string status_url, const TargetOptions& options)
    : status_url_(std::move(status_url)), options_(options) {}

const std::vector<VerdictSeries>& NginxCollector::Verdicts() const {
  static const std::vector<VerdictSeries> kVerdicts = {
      {std::string(kUp), std::string(kUpHelp), {}}};
  return kVerdicts;
}

std::optional<Error> NginxCollector::Problem(const HttpRequest& request,
                                             const HttpResponse& response) const {
  if (!response.Ok()) return response.error;
  switch (response.status) {
    case 200:
      return std::nullopt;
    case 403:
      return StatusError(request, response,
                         "the stub_status location does not allow the exporter's address "
                         "(allow/deny)");
    case 404:
      return StatusError(request, response,
                         "no stub_status location at this path (location = /stub_status { "
                         "stub_status; })");
    default:
      return StatusError(request, response);
  }
}

std::vector<Error> NginxCollector::Collect(const ScrapeContext& context, MetricSet& metrics) {
  HttpRequest request;
  request.url = status_url_;
  request.tls = options_.tls;
  request.max_body_bytes = options_.max_body_bytes;
  request.timeout = options_.timeout;
  const auto response = http_.Perform(request, context.deadline);
  std::optional<Error> problem = Problem(request, response);
  if (!problem) {
    if (const auto status = ParseStubStatus(response.body)) {
      BuildMetrics(*status, metrics);
    } else {
      problem =
          RequestError(request, "parse", status.error, "is this nginx's stub_status location?");
    }
  }
  metrics.Gauge(kUp, kUpHelp, problem ? 0 : 1);
  if (problem) return {std::move(*problem)};
  return {};
}

}  // namespace ooe::nginx
