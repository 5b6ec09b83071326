// The series of a Document Server's answers: the /healthcheck probes, info.json's readings and
// the license, from info.json or CommandService.ashx.
#pragma once

#include <string>
#include <string_view>

#include "base/metric_set.h"
#include "collectors/documentserver/parser.h"
#include "collectors/http/client.h"

namespace ooe::documentserver {

// The verdict series, named here because the collector lists them as its verdicts too.
inline constexpr std::string_view kHealthcheckUp = "onlyoffice_documentserver_healthcheck_up";
inline constexpr std::string_view kHealthcheckUpHelp =
    "1 when /healthcheck answered HTTP 200 with the body true, else 0.";
inline constexpr std::string_view kInfoUp = "onlyoffice_documentserver_info_up";
inline constexpr std::string_view kInfoUpHelp =
    "1 when docservice's /info/info.json answered and parsed, else 0.";

// One /healthcheck probe as the metrics report it.
struct Probe {
  std::string via;  // "nginx" (the public URL) or "docservice" (:8000 directly)
  long status = 0;  // 0 when no HTTP answer came
  double seconds = 0;
  ProbeFailure failure = ProbeFailure::kNone;
};

// What an HTTP answer to /healthcheck means.
Probe JudgeProbe(std::string via, const HttpResponse& response);

void AddProbeMetrics(const Probe& probe, MetricSet& metrics);
void AddInfoMetrics(const Info& info, MetricSet& metrics);
void AddLicenseMetrics(const License& license, MetricSet& metrics);
void AddBuildInfo(const std::string& version, const std::string& build, MetricSet& metrics);

}  // namespace ooe::documentserver
