#include "collectors/documentserver/status_metrics.h"

namespace ooe::documentserver {
namespace {

// A list of readings of info.json and the metric it goes out as.
struct ReadingMetric {
  std::vector<Reading> Info::*readings;
  std::string_view name;
  std::string_view help;
  std::string_view kind_label;  // the label Reading::kind goes out as; empty: none
};

const ReadingMetric kReadingMetrics[] = {
    {&Info::connections, "onlyoffice_documentserver_connections",
     "Editor connections open now, by mode (edit, view).", ""},
    {&Info::users, "onlyoffice_documentserver_users",
     "Users with a document open now, by mode and kind (unique, anonymous).", "kind"},
    {&Info::connections_peak, "onlyoffice_documentserver_connections_max",
     "Most editor connections at once over the period (hour, day, week, month, year), by mode "
     "(edit, view, liveview).",
     "period"},
};

constexpr std::string_view kConnectionsLimitHelp =
    "Connections the license allows, by mode (edit; view for live viewers, 7.2+).";
constexpr std::string_view kUsersLimitHelp =
    "Users the license allows, by mode; 0 when it is not licensed per user.";

struct LicenseLimit {
  std::optional<double> License::*field;
  std::string_view name;
  std::string_view mode;
  std::string_view help;
};

const LicenseLimit kLicenseLimits[] = {
    {&License::connections_limit, "onlyoffice_documentserver_license_connections_limit", "edit",
     kConnectionsLimitHelp},
    {&License::connections_view_limit, "onlyoffice_documentserver_license_connections_limit",
     "view", kConnectionsLimitHelp},
    {&License::users_limit, "onlyoffice_documentserver_license_users_limit", "edit",
     kUsersLimitHelp},
    {&License::users_view_limit, "onlyoffice_documentserver_license_users_limit", "view",
     kUsersLimitHelp},
};

constexpr FieldMetric<License> kLicenseTimes[] = {
    {&License::start_timestamp, "onlyoffice_documentserver_license_start_timestamp_seconds",
     MetricKind::kGauge, "When the license started, seconds since the epoch."},
    {&License::end_timestamp, "onlyoffice_documentserver_license_end_timestamp_seconds",
     MetricKind::kGauge,
     "When the license ends, seconds since the epoch; absent when it does not end."},
};

ProbeFailure FromHttpFailure(HttpFailure failure) {
  switch (failure) {
    case HttpFailure::kNone:
      return ProbeFailure::kNone;
    case HttpFailure::kResolve:
      return ProbeFailure::kResolve;
    case HttpFailure::kConnect:
      return ProbeFailure::kConnect;
    case HttpFailure::kTimeout:
      return ProbeFailure::kTimeout;
    case HttpFailure::kTls:
      return ProbeFailure::kTls;
    case HttpFailure::kTooLarge:
      return ProbeFailure::kBody;
    case HttpFailure::kAborted:
    case HttpFailure::kOther:
      return ProbeFailure::kOther;
  }
  return ProbeFailure::kOther;
}

}  // namespace

Probe JudgeProbe(std::string via, const HttpResponse& response) {
  Probe probe;
  probe.via = std::move(via);
  probe.status = response.status;
  probe.seconds = response.timings.total;
  probe.failure = response.Ok() ? JudgeHealthcheck(response.status, response.body)
                                : FromHttpFailure(response.failure);
  return probe;
}

void AddProbeMetrics(const Probe& probe, MetricSet& metrics) {
  const Labels via = {{"via", probe.via}};
  metrics.Gauge(kHealthcheckUp, kHealthcheckUpHelp, probe.failure == ProbeFailure::kNone ? 1 : 0,
                via);
  metrics.Gauge("onlyoffice_documentserver_healthcheck_http_status",
                "HTTP status of /healthcheck (502/504 come from nginx); 0 when none came.",
                static_cast<double>(probe.status), via);
  metrics.Gauge("onlyoffice_documentserver_healthcheck_duration_seconds",
                "Seconds the /healthcheck probe took, up to its timeout.", probe.seconds, via);
  for (const ProbeFailure reason : kProbeFailures) {
    metrics.Gauge("onlyoffice_documentserver_healthcheck_failure",
                  "1 for the phase in which /healthcheck failed (resolve, connect, timeout, tls, "
                  "http_status, body, other), 0 for the others.",
                  probe.failure == reason ? 1 : 0,
                  {{"via", probe.via}, {"reason", std::string(ProbeFailureName(reason))}});
  }
}

void AddBuildInfo(const std::string& version, const std::string& build, MetricSet& metrics) {
  if (version.empty()) return;
  metrics.Info("onlyoffice_documentserver_build_info",
               "Document Server version and build number, value 1.",
               {{"version", version}, {"build", build}});
}

void AddInfoMetrics(const Info& info, MetricSet& metrics) {
  AddBuildInfo(info.version, info.build, metrics);
  for (const auto& mapping : kReadingMetrics) {
    for (const auto& reading : info.*mapping.readings) {
      Labels labels = {{"mode", reading.mode}};
      if (!mapping.kind_label.empty()) labels.emplace_back(mapping.kind_label, reading.kind);
      metrics.Gauge(mapping.name, mapping.help, reading.value, labels);
    }
  }
  AddLicenseMetrics(info.license, metrics);
}

void AddLicenseMetrics(const License& license, MetricSet& metrics) {
  for (const auto& limit : kLicenseLimits) {
    if (const auto& value = license.*limit.field) {
      metrics.Gauge(limit.name, limit.help, *value, {{"mode", std::string(limit.mode)}});
    }
  }
  AddFieldMetrics(license, kLicenseTimes, {}, metrics);
}

}  // namespace ooe::documentserver
