// Document Server's log directory, followed at scrape time: nginx's upstream failures (the 502s
// and 504s editors got between two probes) and docservice's and the converter's log4js entries
// by level and known cause. Every counter exists from start-up at 0, so increase() works.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/metric_set.h"
#include "collectors/collector.h"
#include "collectors/logs/follower.h"
#include "collectors/logs/log4js.h"
#include "collectors/logs/nginx_error.h"

namespace ooe::documentserver {

// The files followed; an empty path is not followed.
struct LogPaths {
  std::string nginx_error;  // <log_dir>/documentserver/nginx.error.log
  std::string docservice;   // <log_dir>/documentserver/docservice/out.log
  std::string converter;    // <log_dir>/documentserver/converter/out.log

  bool Empty() const { return nginx_error.empty() && docservice.empty() && converter.empty(); }
};

// The packaged image's layout under `log_dir` (the seed mounts ./logs:/var/log/onlyoffice).
LogPaths PackagedLayout(const std::string& log_dir);

// What one log4js file's entries came to.
struct ServiceCounts {
  std::array<uint64_t, logs::kLog4jsLevels.size()> levels{};
  std::array<uint64_t, logs::kCauses.size() + 1> causes{};  // indexed by logs::Cause
};

// Counts log4js entries from their lines: a line that starts an entry ends the one before, so a
// stack trace counts once, with what its frames say about the cause.
class EntryCounter {
 public:
  explicit EntryCounter(logs::Log4jsService service) : service_(service) {}
  void Line(std::string_view line);
  // Counts the entry in progress: nothing came after it for a whole read.
  void Finish();
  const ServiceCounts& Counts() const { return counts_; }

 private:
  logs::Log4jsService service_;
  std::optional<logs::Log4jsHead> pending_;
  ServiceCounts counts_;
};

class LogWatch {
 public:
  explicit LogWatch(const LogPaths& paths, logs::FollowerLimits limits = {});

  // Reads what the files gained since the last call, until `deadline`; an error for each file
  // that exists but cannot be read.
  std::vector<Error> Read(Clock::time_point deadline);
  void AddMetrics(MetricSet& metrics) const;
  std::string Describe() const;

 private:
  struct NginxLog {
    explicit NginxLog(const std::string& path, logs::FollowerLimits limits)
        : follower(path, limits) {}
    logs::Follower follower;
    std::array<uint64_t, logs::kNginxLevels.size()> levels{};
    std::array<uint64_t, logs::kUpstreamFailures.size()> failures{};
  };
  struct ServiceLog {
    ServiceLog(logs::Log4jsService of, const std::string& path, logs::FollowerLimits limits)
        : service(of), follower(path, limits), counter(of) {}
    logs::Log4jsService service;
    logs::Follower follower;
    EntryCounter counter;
  };

  void AddFollowerMetrics(std::string_view log, const logs::Follower& follower,
                          MetricSet& metrics) const;

  std::unique_ptr<NginxLog> nginx_;
  std::vector<std::unique_ptr<ServiceLog>> services_;
};

// A Document Server target that also follows its logs: the logs are read first, with a quarter
// of the time left, so neither a hung backend nor a burst of lines starves the other.
class WithLogs final : public Collector {
 public:
  WithLogs(std::unique_ptr<Collector> probes, const LogPaths& paths);
  std::vector<Error> Collect(const ScrapeContext& context, MetricSet& metrics) override;
  const std::vector<VerdictSeries>& Verdicts() const override { return probes_->Verdicts(); }
  std::string Describe() const override;

 private:
  std::unique_ptr<Collector> probes_;
  LogWatch logs_;
};

}  // namespace ooe::documentserver
