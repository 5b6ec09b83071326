#include "collectors/documentserver/collector.h"

#include <chrono>

#include "collectors/documentserver/jwt.h"

namespace ooe {
namespace documentserver {
namespace {

constexpr std::string_view kCommandPath = "/coauthoring/CommandService.ashx";

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

std::string_view CommandErrorMeaning(int error) {
  switch (error) {
    case 1:
      return "unknown command or bad request";
    case 6:
      return "token invalid or missing";
    case 7:
      return "token expired";
    default:
      return "see Document Server's CommandService error codes";
  }
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
  metrics.Gauge("onlyoffice_documentserver_healthcheck_up",
                "1 when /healthcheck answered HTTP 200 with the body true, else 0.",
                probe.failure == ProbeFailure::kNone ? 1 : 0, via);
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
  for (const auto& reading : info.connections) {
    metrics.Gauge("onlyoffice_documentserver_connections",
                  "Editor connections open now, by mode (edit, view).", reading.value,
                  {{"mode", reading.mode}});
  }
  for (const auto& reading : info.users) {
    metrics.Gauge("onlyoffice_documentserver_users",
                  "Users with a document open now, by mode and kind (unique, anonymous).",
                  reading.value, {{"mode", reading.mode}, {"kind", reading.kind}});
  }
  for (const auto& reading : info.connections_peak) {
    metrics.Gauge("onlyoffice_documentserver_connections_max",
                  "Most editor connections at once over the period (hour, day, week, month, "
                  "year), by mode (edit, view, liveview).",
                  reading.value, {{"mode", reading.mode}, {"period", reading.kind}});
  }
  AddLicenseMetrics(info.license, metrics);
}

void AddLicenseMetrics(const License& license, MetricSet& metrics) {
  const auto limit = [&](std::string_view name, std::string_view help, std::string_view mode,
                         const std::optional<double>& value) {
    if (value) metrics.Gauge(name, help, *value, {{"mode", std::string(mode)}});
  };
  constexpr std::string_view kConnectionsHelp =
      "Connections the license allows, by mode (edit; view for live viewers, 7.2+).";
  constexpr std::string_view kUsersHelp =
      "Users the license allows, by mode; 0 when it is not licensed per user.";
  limit("onlyoffice_documentserver_license_connections_limit", kConnectionsHelp, "edit",
        license.connections_limit);
  limit("onlyoffice_documentserver_license_connections_limit", kConnectionsHelp, "view",
        license.connections_view_limit);
  limit("onlyoffice_documentserver_license_users_limit", kUsersHelp, "edit", license.users_limit);
  limit("onlyoffice_documentserver_license_users_limit", kUsersHelp, "view",
        license.users_view_limit);
  if (license.start_timestamp) {
    metrics.Gauge("onlyoffice_documentserver_license_start_timestamp_seconds",
                  "When the license started, seconds since the epoch.", *license.start_timestamp);
  }
  if (license.end_timestamp) {
    metrics.Gauge("onlyoffice_documentserver_license_end_timestamp_seconds",
                  "When the license ends, seconds since the epoch; absent when it does not end.",
                  *license.end_timestamp);
  }
}

}  // namespace documentserver

namespace {

using documentserver::ProbeFailure;

struct Settings {
  std::string url;             // public base URL, through nginx
  std::string docservice_url;  // optional: docservice itself (:8000)
  // Each request's own limit: a hung database makes /healthcheck send nothing at all.
  std::chrono::milliseconds timeout{5000};
  std::vector<std::string> commands;
  std::optional<std::string> jwt_secret;
  std::string jwt_secret_origin;  // where the secret came from, for messages (never the secret)
  std::string jwt_header = "Authorization";
  bool jwt_in_body = false;
  TlsOptions tls;
  size_t max_body_bytes = size_t{1} << 20;
};

class DocumentServerCollector final : public Collector {
 public:
  DocumentServerCollector(std::string target, Settings settings)
      : target_(std::move(target)), settings_(std::move(settings)) {}

  const std::string& Kind() const override {
    static const std::string kKind = "documentserver";
    return kKind;
  }
  const std::string& Target() const override { return target_; }
  std::string Describe() const override {
    std::string description = RedactUrl(settings_.url);
    if (!settings_.docservice_url.empty()) {
      description += " (docservice " + RedactUrl(settings_.docservice_url) + ")";
    }
    if (settings_.jwt_secret) description += ", JWT from " + settings_.jwt_secret_origin;
    return description;
  }

  CollectResult Collect(const ScrapeContext& context) override {
    std::vector<HttpRequest> requests;
    requests.push_back(Get(settings_.url + "/healthcheck", settings_.timeout));
    const bool direct = !settings_.docservice_url.empty();
    if (direct) {
      requests.push_back(Get(settings_.docservice_url + "/healthcheck", settings_.timeout));
      requests.push_back(Get(settings_.docservice_url + "/info/info.json", settings_.timeout));
    }
    const size_t first_command = requests.size();
    for (const auto& command : settings_.commands) requests.push_back(Command(command));
    const auto responses = http_.PerformAll(requests, context.deadline);

    MetricSet metrics({{"target", target_}});
    std::vector<std::string> problems;
    ReportProbe("nginx", requests[0], responses[0], metrics, problems);
    bool have_info = false;
    if (direct) {
      ReportProbe("docservice", requests[1], responses[1], metrics, problems);
      have_info = ReportInfo(requests[2], responses[2], metrics, problems);
    }
    ReportCommands(requests, responses, first_command, have_info, metrics, problems);

    CollectResult result;
    for (const auto& problem : problems) {
      if (!result.error.empty()) result.error += "; ";
      result.error += problem;
    }
    result.families = metrics.Take();
    return result;
  }

 private:
  HttpRequest Get(std::string url, std::chrono::milliseconds timeout) const {
    HttpRequest request;
    request.url = std::move(url);
    request.tls = settings_.tls;
    request.max_body_bytes = settings_.max_body_bytes;
    request.timeout = timeout;
    return request;
  }

  HttpRequest Command(const std::string& command) const {
    const std::string& base =
        settings_.docservice_url.empty() ? settings_.url : settings_.docservice_url;
    HttpRequest request = Get(base + std::string(documentserver::kCommandPath), settings_.timeout);
    request.method = "POST";
    request.headers.emplace_back("Content-Type: application/json");
    nlohmann::json body = {{"c", command}};
    if (settings_.jwt_secret) {
      const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
      // DocService checks `exp`; five minutes of validity covers clock skew between hosts.
      if (settings_.jwt_in_body) {
        nlohmann::json claims = {{"c", command}, {"iat", now}, {"exp", now + 300}};
        body["token"] = documentserver::SignHs256(claims, *settings_.jwt_secret);
      } else {
        nlohmann::json claims = {{"payload", {{"c", command}}}, {"iat", now}, {"exp", now + 300}};
        request.headers.push_back(settings_.jwt_header + ": Bearer " +
                                  documentserver::SignHs256(claims, *settings_.jwt_secret));
      }
    }
    request.body = body.dump();
    return request;
  }

  static std::string Where(const HttpRequest& request) {
    return request.method + " " + RedactUrl(request.url);
  }

  void ReportProbe(const std::string& via, const HttpRequest& request, const HttpResponse& response,
                   MetricSet& metrics, std::vector<std::string>& problems) const {
    const auto probe = documentserver::JudgeProbe(via, response);
    documentserver::AddProbeMetrics(probe, metrics);
    // `false` is Document Server's own verdict (a dependency is down): data, not a failure of
    // the exporter. No verdict at all is.
    if (!response.Ok()) {
      problems.push_back(response.error);
    } else if (probe.failure == ProbeFailure::kHttpStatus) {
      std::string problem = Where(request) + ": HTTP " + std::to_string(response.status);
      if (via == "nginx" && (response.status == 502 || response.status == 504)) {
        problem += response.status == 502 ? " (nginx: nothing answers behind it, docservice down)"
                                          : " (nginx: docservice too slow to answer)";
      }
      problems.push_back(problem);
    } else if (!documentserver::IsHealthcheckBody(response.body)) {
      problems.push_back(Where(request) +
                         ": the body is neither true nor false: is this Document Server?");
    }
  }

  bool ReportInfo(const HttpRequest& request, const HttpResponse& response, MetricSet& metrics,
                  std::vector<std::string>& problems) const {
    std::string problem;
    if (!response.Ok()) {
      problem = response.error;
    } else if (response.status != 200) {
      problem = Where(request) + ": HTTP " + std::to_string(response.status) +
                (response.status == 403 ? " (nginx allows /info only from 127.0.0.1: point "
                                          "docservice_url at docservice's port 8000)"
                                        : "");
    } else if (auto info = documentserver::ParseInfo(response.body); !info) {
      problem = Where(request) + ": " + info.error;
    } else {
      documentserver::AddInfoMetrics(*info, metrics);
    }
    metrics.Gauge("onlyoffice_documentserver_info_up",
                  "1 when docservice's /info/info.json answered and parsed, else 0.",
                  problem.empty() ? 1 : 0);
    // A refused connection is already reported by the docservice probe.
    if (!problem.empty() && response.failure != HttpFailure::kConnect) problems.push_back(problem);
    return problem.empty();
  }

  void ReportCommands(const std::vector<HttpRequest>& requests,
                      const std::vector<HttpResponse>& responses, size_t first, bool have_info,
                      MetricSet& metrics, std::vector<std::string>& problems) const {
    if (first == requests.size()) return;
    bool rejected = false;
    bool answered = false;
    for (size_t i = first; i < requests.size(); ++i) {
      const auto& command = settings_.commands[i - first];
      const auto& response = responses[i];
      const std::string where = Where(requests[i]) + " {\"c\":\"" + command + "\"}";
      if (!response.Ok()) {
        continue;  // the healthcheck on the same server already says it cannot be reached
      }
      if (response.status != 200) {
        // nginx's 502/504 are the healthcheck's to report; anything else is about the command.
        if (response.status != 502 && response.status != 504) {
          problems.push_back(where + ": HTTP " + std::to_string(response.status));
        }
        continue;
      }
      const auto reply = documentserver::ParseCommandReply(response.body);
      if (!reply) {
        problems.push_back(where + ": " + reply.error);
        continue;
      }
      answered = true;
      metrics.Gauge("onlyoffice_documentserver_command_error",
                    "CommandService's error code for the command (0 ok, 1 bad request, 6 token "
                    "invalid, 7 token expired).",
                    reply->error, {{"command", command}});
      if (reply->error == 6 || reply->error == 7) {
        rejected = true;
        problems.push_back(
            where + ": error " + std::to_string(reply->error) + " (" +
            std::string(documentserver::CommandErrorMeaning(reply->error)) + "): " +
            (settings_.jwt_secret
                 ? "Document Server rejects the exporter's token: the secret from " +
                       settings_.jwt_secret_origin +
                       " must be Document Server's services.CoAuthoring.secret (JWT_SECRET)" +
                       (reply->error == 7 ? ", and the clocks must agree" : "")
                 : std::string("Document Server wants a JWT: set jwt_secret_file "
                               "(--documentserver.jwt-secret-file)")));
      } else if (reply->error != 0) {
        problems.push_back(where + ": error " + std::to_string(reply->error) + " (" +
                           std::string(documentserver::CommandErrorMeaning(reply->error)) + ")");
      } else if (!have_info) {
        // /info/info.json, when reachable, is the richer source of the same facts.
        if (!reply->version.empty()) {
          const auto [version, build] = documentserver::SplitVersion(reply->version);
          documentserver::AddBuildInfo(version, build, metrics);
        }
        if (reply->license) documentserver::AddLicenseMetrics(*reply->license, metrics);
      }
    }
    if (answered) {
      metrics.Gauge("onlyoffice_documentserver_jwt_rejected",
                    "1 when CommandService rejected the exporter's JWT (error 6 or 7): its "
                    "secret is wrong, the server is not down.",
                    rejected ? 1 : 0);
    }
  }

  std::string target_;
  Settings settings_;
  HttpClient http_;
};

std::string BaseUrl(const ConfigNode& target, std::string_view key, bool required) {
  std::string url = required ? target.RequiredString(key) : target.String(key, "");
  while (url.ends_with("/")) url.pop_back();
  if (url.empty() && !required) return url;
  if (!url.starts_with("http://") && !url.starts_with("https://")) {
    target.Fail(key, "'" + url + "' must be an http:// or https:// base URL");
  }
  if (url.find('@') != std::string::npos || url.find('?') != std::string::npos) {
    target.Fail(key,
                "'" + RedactUrl(url) + "' must be a plain base URL (no credentials, no query)");
  }
  return url;
}

}  // namespace

std::unique_ptr<Collector> MakeDocumentServerCollector(const ConfigNode& target) {
  target.ExpectOnly({"name", "url", "docservice_url", "timeout", "commands", "jwt_secret_file",
                     "jwt_secret_env", "jwt_header", "jwt_in_body", "ca_file",
                     "insecure_skip_verify", "max_body_size"});
  Settings settings;
  settings.url = BaseUrl(target, "url", true);
  settings.docservice_url = BaseUrl(target, "docservice_url", false);
  settings.timeout = target.Duration("timeout", settings.timeout);
  if (settings.timeout.count() <= 0) target.Fail("timeout", "must be longer than 0");
  settings.commands = target.Has("commands") ? target.StringList("commands")
                                             : std::vector<std::string>{"version", "license"};
  for (const auto& command : settings.commands) {
    if (command != "version" && command != "license") {
      target.Fail("commands", "'" + command + "' is not one the exporter reads (version, license)");
    }
  }
  settings.jwt_secret = target.Secret("jwt_secret");
  if (settings.jwt_secret) {
    if (settings.jwt_secret->empty()) target.Fail("jwt_secret_file", "the secret is empty");
    settings.jwt_secret_origin = target.Has("jwt_secret_file")
                                     ? target.String("jwt_secret_file", "")
                                     : "$" + target.String("jwt_secret_env", "");
  }
  settings.jwt_header = target.String("jwt_header", settings.jwt_header);
  if (settings.jwt_header.empty() ||
      settings.jwt_header.find_first_of(": \r\n") != std::string::npos) {
    target.Fail("jwt_header", "'" + settings.jwt_header + "' is not an HTTP header name");
  }
  settings.jwt_in_body = target.Bool("jwt_in_body", false);
  settings.tls.ca_file = target.String("ca_file", "");
  settings.tls.insecure_skip_verify = target.Bool("insecure_skip_verify", false);
  settings.max_body_bytes = target.Bytes("max_body_size", settings.max_body_bytes);

  const auto scheme_end = settings.url.find("://") + 3;
  auto name = target.String("name", settings.url.substr(scheme_end));
  return std::make_unique<DocumentServerCollector>(std::move(name), std::move(settings));
}

}  // namespace ooe
