#include "collectors/documentserver/log_watch.h"

#include <filesystem>

namespace ooe::documentserver {
namespace {

using logs::Log4jsService;

std::string_view ServiceName(Log4jsService service) {
  return service == Log4jsService::kDocservice ? "docservice" : "converter";
}

template <typename Enum>
size_t Index(Enum value) {
  return static_cast<size_t>(value);
}

}  // namespace

LogPaths PackagedLayout(const std::string& log_dir) {
  const std::filesystem::path base = std::filesystem::path(log_dir) / "documentserver";
  return {.nginx_error = (base / "nginx.error.log").string(),
          .docservice = (base / "docservice" / "out.log").string(),
          .converter = (base / "converter" / "out.log").string()};
}

void EntryCounter::Line(std::string_view line) {
  if (auto head = logs::ParseLog4jsHead(line, service_)) {
    Finish();
    pending_ = head;
  } else if (pending_) {
    pending_->cause = logs::RefineCause(*pending_, line);
  }
  // A continuation line with no entry before it belongs to one written before start-up.
}

void EntryCounter::Finish() {
  if (!pending_) return;
  ++counts_.levels[Index(pending_->level)];
  ++counts_.causes[Index(pending_->cause)];
  pending_.reset();
}

LogWatch::LogWatch(const LogPaths& paths, logs::FollowerLimits limits) {
  if (!paths.nginx_error.empty()) nginx_ = std::make_unique<NginxLog>(paths.nginx_error, limits);
  if (!paths.docservice.empty()) {
    services_.push_back(
        std::make_unique<ServiceLog>(Log4jsService::kDocservice, paths.docservice, limits));
  }
  if (!paths.converter.empty()) {
    services_.push_back(
        std::make_unique<ServiceLog>(Log4jsService::kConverter, paths.converter, limits));
  }
}

std::vector<Error> LogWatch::Read(Clock::time_point deadline) {
  std::vector<Error> errors;
  const auto report = [&errors](const logs::Follower& follower, const logs::ReadOutcome& outcome) {
    if (outcome.error.empty()) return;
    errors.push_back({.operation = "read",
                      .resource = follower.Path().string(),
                      .phase = "open",
                      .detail = outcome.error,
                      .hint = "the exporter needs read access to Document Server's log directory"});
  };
  if (nginx_) {
    auto& log = *nginx_;
    report(log.follower, log.follower.Read(deadline, [&log](std::string_view line, bool) {
      if (const auto entry = logs::ClassifyNginxErrorLine(line)) {
        ++log.levels[Index(entry->level)];
        if (entry->upstream) ++log.failures[Index(*entry->upstream)];
      }
    }));
  }
  for (auto& service : services_) {
    auto& log = *service;
    const uint64_t lines = log.follower.Counts().lines;
    const auto outcome = log.follower.Read(
        deadline, [&log](std::string_view line, bool) { log.counter.Line(line); });
    // log4js writes an entry, stack trace and all, in one piece, but a pipe can hand it on in
    // parts: the last entry is whole once a whole read found nothing after it.
    if (outcome.caught_up && !outcome.mid_line && log.follower.Counts().lines == lines) {
      log.counter.Finish();
    }
    report(log.follower, outcome);
  }
  return errors;
}

void LogWatch::AddFollowerMetrics(std::string_view log, const logs::Follower& follower,
                                  MetricSet& metrics) const {
  const Labels labels = {{"log", std::string(log)}};
  const auto& counts = follower.Counts();
  metrics.Gauge("onlyoffice_documentserver_log_file_open",
                "1 while the log file is open and followed, 0 while it is missing or unreadable.",
                follower.IsOpen() ? 1 : 0, labels);
  metrics.Counter("onlyoffice_documentserver_log_read_bytes_total",
                  "Bytes read from the log file (the unread rest of a copy-truncated file "
                  "included).",
                  static_cast<double>(counts.bytes), labels);
  metrics.Counter("onlyoffice_documentserver_log_rotations_total",
                  "Times the log file was renamed, deleted or replaced (the old one read to its "
                  "end first).",
                  static_cast<double>(counts.rotations), labels);
  metrics.Counter("onlyoffice_documentserver_log_truncations_total",
                  "Times the log file became shorter than what had been read (copy-truncate).",
                  static_cast<double>(counts.truncations), labels);
  metrics.Counter("onlyoffice_documentserver_log_recovered_bytes_total",
                  "Bytes of a copy-truncated log read from its copy: written after the last read, "
                  "before the truncation.",
                  static_cast<double>(counts.recovered_bytes), labels);
  metrics.Counter("onlyoffice_documentserver_log_cut_lines_total",
                  "Lines longer than 16 KiB: classified by their first 16 KiB.",
                  static_cast<double>(counts.cut_lines), labels);
  metrics.Gauge("onlyoffice_documentserver_log_backlog_bytes",
                "Bytes appended to the log file not read yet when the scrape's share of time "
                "for reading ran out (read by the next scrape).",
                static_cast<double>(follower.Backlog()), labels);
}

void LogWatch::AddMetrics(MetricSet& metrics) const {
  if (nginx_) {
    AddFollowerMetrics("nginx", nginx_->follower, metrics);
    for (const auto failure : logs::kUpstreamFailures) {
      metrics.Counter("onlyoffice_nginx_upstream_failures_total",
                      "Requests nginx could not get an answer for from its upstream, by reason "
                      "(its error log): each one a 502 or a 504 an editor got.",
                      static_cast<double>(nginx_->failures[Index(failure)]),
                      {{"reason", std::string(logs::UpstreamFailureName(failure))}});
    }
    for (const auto level : logs::kNginxLevels) {
      metrics.Counter("onlyoffice_nginx_error_log_entries_total",
                      "Lines nginx wrote to its error log, by level.",
                      static_cast<double>(nginx_->levels[Index(level)]),
                      {{"level", std::string(logs::NginxLevelName(level))}});
    }
  }
  for (const auto& service : services_) {
    const std::string name(ServiceName(service->service));
    AddFollowerMetrics(name, service->follower, metrics);
    const auto& counts = service->counter.Counts();
    for (const auto level : logs::kLog4jsLevels) {
      metrics.Counter("onlyoffice_documentserver_log_entries_total",
                      "Log entries docservice and the converter wrote, by level (a stack trace "
                      "is part of its entry).",
                      static_cast<double>(counts.levels[Index(level)]),
                      {{"service", name}, {"level", std::string(logs::Log4jsLevelName(level))}});
    }
    for (const auto cause : logs::kCauses) {
      metrics.Counter("onlyoffice_documentserver_log_errors_total",
                      "Log entries at WARN or above with a known cause: uncaught_exception, "
                      "database, amqp, redis, jwt (a rejected token), conversion.",
                      static_cast<double>(counts.causes[Index(cause)]),
                      {{"service", name}, {"cause", std::string(logs::CauseName(cause))}});
    }
  }
}

std::string LogWatch::Describe() const {
  std::string description = "logs";
  const auto add = [&description](const logs::Follower& follower) {
    description.append(" ").append(follower.Path().string());
  };
  if (nginx_) add(nginx_->follower);
  for (const auto& service : services_) add(service->follower);
  return description;
}

WithLogs::WithLogs(std::unique_ptr<Collector> probes, const LogPaths& paths)
    : probes_(std::move(probes)), logs_(paths) {}

std::vector<Error> WithLogs::Collect(const ScrapeContext& context, MetricSet& metrics) {
  auto unreadable = logs_.Read(Clock::now() + context.Remaining() / 4);
  auto errors = probes_->Collect(context, metrics);
  errors.insert(errors.end(), std::make_move_iterator(unreadable.begin()),
                std::make_move_iterator(unreadable.end()));
  logs_.AddMetrics(metrics);
  return errors;
}

std::string WithLogs::Describe() const {
  return probes_->Describe().append(", ").append(logs_.Describe());
}

}  // namespace ooe::documentserver
