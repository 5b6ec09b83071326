#include "collectors/documentserver/collector.h"

#include <chrono>

#include "collectors/documentserver/jwt.h"

namespace ooe::documentserver {
namespace {

constexpr std::string_view kCommandPath = "/coauthoring/CommandService.ashx";

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

DocumentServerCollector::DocumentServerCollector(Settings settings, const TargetOptions& options)
    : settings_(std::move(settings)), options_(options), security_(settings_.security) {
  verdicts_.push_back(
      {std::string(kHealthcheckUp), std::string(kHealthcheckUpHelp), {{"via", "nginx"}}});
  if (!settings_.docservice_url.empty()) {
    verdicts_.push_back(
        {std::string(kHealthcheckUp), std::string(kHealthcheckUpHelp), {{"via", "docservice"}}});
    verdicts_.push_back({std::string(kInfoUp), std::string(kInfoUpHelp), {}});
  }
}

std::string DocumentServerCollector::Describe() const {
  std::string description = RedactUrl(settings_.url);
  if (!settings_.docservice_url.empty()) {
    description += " (docservice " + RedactUrl(settings_.docservice_url) + ")";
  }
  if (settings_.jwt_secret) description += ", JWT from " + settings_.jwt_secret_origin;
  return description;
}

std::vector<Error> DocumentServerCollector::Collect(const ScrapeContext& context,
                                                    MetricSet& metrics) {
  std::vector<HttpRequest> requests;
  std::vector<std::string> vias = {"nginx"};
  requests.push_back(Get(settings_.url + "/healthcheck"));
  const bool direct = !settings_.docservice_url.empty();
  if (direct) {
    vias.emplace_back("docservice");
    requests.push_back(Get(settings_.docservice_url + "/healthcheck"));
    requests.push_back(Get(settings_.docservice_url + "/info/info.json"));
  }
  // The healthchecks come first, one per via: they also read the https certificates.
  for (size_t i = 0; i < vias.size(); ++i) {
    requests[i].inspect_certificate = requests[i].url.starts_with("https://");
  }
  const size_t first_command = requests.size();
  for (const auto& command : settings_.commands) {
    requests.push_back(Command(command, settings_.jwt_secret));
  }
  const size_t first_probe = requests.size();
  const auto probes = security_.DueRequests(
      Command("version", std::nullopt),
      [this](const std::string& secret) { return Command("version", secret); }, Clock::now());
  requests.insert(requests.end(), probes.begin(), probes.end());
  auto responses = http_.PerformAll(requests, context.deadline);

  std::vector<Error> errors;
  ReportProbe("nginx", requests[0], responses[0], metrics, errors);
  bool have_info = false;
  if (direct) {
    ReportProbe("docservice", requests[1], responses[1], metrics, errors);
    have_info = ReportInfo(requests[2], responses[2], metrics, errors);
  }
  const auto probes_at = static_cast<std::ptrdiff_t>(first_probe);
  const std::vector<HttpRequest> commands(requests.begin(), requests.begin() + probes_at);
  ReportCommands(commands, responses, first_command, have_info, metrics, errors);
  security_.TakeJwtAnswers(
      std::vector<HttpResponse>(std::make_move_iterator(responses.begin() + probes_at),
                                std::make_move_iterator(responses.end())));
  ReportCertificates(context, vias, requests, responses);
  security_.AddMetrics(metrics);
  return errors;
}

void DocumentServerCollector::ReportCertificates(const ScrapeContext& context,
                                                 const std::vector<std::string>& vias,
                                                 const std::vector<HttpRequest>& requests,
                                                 const std::vector<HttpResponse>& responses) {
  std::vector<std::string> unverified;
  std::vector<HttpRequest> again;
  for (size_t i = 0; i < vias.size(); ++i) {
    if (!requests[i].inspect_certificate) continue;
    if (responses[i].certificate) {
      security_.TakeCertificate(vias[i], *responses[i].certificate);
    } else if (responses[i].failure == HttpFailure::kTls) {
      HttpRequest insecure = requests[i];
      insecure.tls.insecure_skip_verify = true;
      unverified.push_back(vias[i]);
      again.push_back(std::move(insecure));
    }
  }
  if (again.empty()) return;
  const auto answers = http_.PerformAll(again, context.deadline);
  for (size_t i = 0; i < answers.size(); ++i) {
    CertificateReport report = answers[i].certificate.value_or(CertificateReport{});
    report.verified = false;  // the verifying request failed
    security_.TakeCertificate(unverified[i], report);
  }
}

HttpRequest DocumentServerCollector::Get(std::string url) const {
  HttpRequest request;
  request.url = std::move(url);
  request.tls = options_.tls;
  request.max_body_bytes = options_.max_body_bytes;
  request.timeout = options_.timeout;
  return request;
}

HttpRequest DocumentServerCollector::Command(const std::string& command,
                                             const std::optional<std::string>& secret) const {
  const std::string& base =
      settings_.docservice_url.empty() ? settings_.url : settings_.docservice_url;
  HttpRequest request = Get(base + std::string(kCommandPath));
  request.method = "POST";
  request.headers.emplace_back("Content-Type: application/json");
  nlohmann::json body = {{"c", command}};
  if (secret) {
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    // DocService checks `exp`; five minutes of validity covers clock skew between hosts.
    if (settings_.jwt_in_body) {
      nlohmann::json claims = {{"c", command}, {"iat", now}, {"exp", now + 300}};
      body["token"] = SignHs256(claims, *secret);
    } else {
      nlohmann::json claims = {{"payload", {{"c", command}}}, {"iat", now}, {"exp", now + 300}};
      request.headers.push_back(settings_.jwt_header + ": Bearer " + SignHs256(claims, *secret));
    }
  }
  request.body = body.dump();
  return request;
}

void DocumentServerCollector::ReportProbe(const std::string& via, const HttpRequest& request,
                                          const HttpResponse& response, MetricSet& metrics,
                                          std::vector<Error>& errors) {
  const auto probe = JudgeProbe(via, response);
  AddProbeMetrics(probe, metrics);
  int& streak = failing_streak_[via];
  streak = probe.failure == ProbeFailure::kNone ? 0 : streak + 1;
  metrics.Gauge("onlyoffice_documentserver_healthcheck_failing_streak",
                "Healthchecks failed in a row (0 after one that passed), as Docker's health "
                "FailingStreak: two in a row span a whole scrape interval, one may be a restart.",
                streak, {{"via", via}});
  // `false` is Document Server's own verdict (a dependency is down): data, not a failure of
  // the exporter. No verdict at all is.
  if (!response.Ok()) {
    errors.push_back(response.error);
  } else if (probe.failure == ProbeFailure::kHttpStatus) {
    std::string hint;
    if (via == "nginx" && (response.status == 502 || response.status == 504)) {
      hint = response.status == 502 ? "nginx: nothing answers behind it, docservice down"
                                    : "nginx: docservice too slow to answer";
    }
    errors.push_back(StatusError(request, response, hint));
  } else if (!IsHealthcheckBody(response.body)) {
    errors.push_back(RequestError(request, "body", "the body is neither true nor false",
                                  "is this Document Server?"));
  }
}

bool DocumentServerCollector::ReportInfo(const HttpRequest& request, const HttpResponse& response,
                                         MetricSet& metrics, std::vector<Error>& errors) const {
  std::optional<Error> problem;
  if (!response.Ok()) {
    problem = response.error;
  } else if (response.status != 200) {
    problem = StatusError(request, response,
                          response.status == 403 ? "nginx allows /info only from 127.0.0.1: point "
                                                   "docservice_url at docservice's port 8000"
                                                 : "");
  } else if (auto info = ParseInfo(response.body); !info) {
    problem = RequestError(request, "parse", info.error);
  } else {
    AddInfoMetrics(*info, metrics);
  }
  metrics.Gauge(kInfoUp, kInfoUpHelp, problem ? 0 : 1);
  // A refused connection is already reported by the docservice probe.
  if (problem && response.failure != HttpFailure::kConnect) errors.push_back(std::move(*problem));
  return !problem;
}

std::optional<Error> DocumentServerCollector::CommandProblem(const HttpRequest& request,
                                                             const CommandReply& reply) const {
  if (reply.error == 0) return std::nullopt;
  const std::string meaning = "error " + std::to_string(reply.error) + " (" +
                              std::string(CommandErrorMeaning(reply.error)) + ")";
  if (reply.error != 6 && reply.error != 7) return RequestError(request, "command", meaning);
  std::string hint =
      settings_.jwt_secret
          ? "Document Server rejects the exporter's token: the secret from " +
                settings_.jwt_secret_origin +
                " must be Document Server's services.CoAuthoring.secret (JWT_SECRET)" +
                (reply.error == 7 ? ", and the clocks must agree" : "")
          : "Document Server wants a JWT: set jwt_secret_file (--documentserver.jwt-secret-file)";
  return RequestError(request, "auth", meaning, std::move(hint));
}

void DocumentServerCollector::ReportCommands(const std::vector<HttpRequest>& requests,
                                             const std::vector<HttpResponse>& responses,
                                             size_t first, bool have_info, MetricSet& metrics,
                                             std::vector<Error>& errors) const {
  if (first == requests.size()) return;
  bool rejected = false;
  bool answered = false;
  for (size_t i = first; i < requests.size(); ++i) {
    const auto& command = settings_.commands[i - first];
    const auto& response = responses[i];
    Error about = RequestError(requests[i], "");
    about.resource += " {\"c\":\"" + command + "\"}";
    if (!response.Ok()) continue;  // the healthcheck on the same server says it cannot be reached
    if (response.status != 200) {
      // nginx's 502/504 are the healthcheck's to report; anything else is about the command.
      if (response.status != 502 && response.status != 504) {
        about.phase = "http_status";
        about.status = response.status;
        errors.push_back(std::move(about));
      }
      continue;
    }
    const auto reply = ParseCommandReply(response.body);
    if (!reply) {
      about.phase = "parse";
      about.detail = reply.error;
      errors.push_back(std::move(about));
      continue;
    }
    answered = true;
    metrics.Gauge("onlyoffice_documentserver_command_error",
                  "CommandService's error code for the command (0 ok, 1 bad request, 6 token "
                  "invalid, 7 token expired).",
                  reply->error, {{"command", command}});
    if (auto problem = CommandProblem(requests[i], *reply)) {
      rejected = rejected || problem->phase == "auth";
      problem->resource = about.resource;
      errors.push_back(std::move(*problem));
    } else if (!have_info) {
      // /info/info.json, when reachable, is the richer source of the same facts.
      if (!reply->version.empty()) {
        const auto [version, build] = SplitVersion(reply->version);
        AddBuildInfo(version, build, metrics);
      }
      if (reply->license) AddLicenseMetrics(*reply->license, metrics);
    }
  }
  if (answered) {
    metrics.Gauge("onlyoffice_documentserver_jwt_rejected",
                  "1 when CommandService rejected the exporter's JWT (error 6 or 7): its "
                  "secret is wrong, the server is not down.",
                  rejected ? 1 : 0);
  }
}

}  // namespace ooe::documentserver
