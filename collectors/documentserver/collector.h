// ONLYOFFICE Document Server: /healthcheck through nginx (what editors reach) and on docservice
// itself, /info/info.json, and CommandService.ashx (version, license) with JWT.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "collectors/collector.h"
#include "collectors/config_node.h"
#include "collectors/documentserver/parser.h"
#include "collectors/http/client.h"
#include "collectors/metric_set.h"

namespace ooe {

namespace documentserver {

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

}  // namespace documentserver

std::unique_ptr<Collector> MakeDocumentServerCollector(const ConfigNode& target);

}  // namespace ooe
