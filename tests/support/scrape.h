// Reading what an exporter exposes, in tests: HTTP GET, a small exposition-format reader, and
// the real exporter binary started on a free port.
#pragma once

#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/metric_set.h"
#include "collectors/collector.h"
#include "tests/support/process.h"

namespace ooe::test {

struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

// Every sample line of Prometheus text output (comments skipped).
std::vector<Sample> ParseExposition(const std::string& text);

// The value of the first sample named `name` whose labels include all of `labels`.
std::optional<double> FindValue(const std::vector<Sample>& samples, const std::string& name,
                                const std::map<std::string, std::string>& labels = {});
size_t CountSamples(const std::vector<Sample>& samples, const std::string& name);

// The samples a collector's result serializes to (what /metrics would carry for it).
std::vector<Sample> SamplesOf(const CollectResult& result);

struct HttpResult {
  long status = 0;
  std::string body;
  std::string error;
  double seconds = 0;
};
HttpResult HttpGet(const std::string& url, const std::vector<std::string>& headers = {},
                   std::chrono::milliseconds timeout = std::chrono::milliseconds(30'000));

// The real onlyoffice-exporter binary on a free 127.0.0.1 port, stopped with the object.
class ExporterProcess {
 public:
  explicit ExporterProcess(std::vector<std::string> flags,
                           const std::vector<std::string>& environment = {});
  std::string Url(const std::string& path = "/metrics") const;
  HttpResult Get(const std::string& path = "/metrics",
                 const std::vector<std::string>& headers = {}) const;
  Process& GetProcess() { return process_; }
  std::string Log() const { return ReadFile(log_file_); }
  int Port() const { return port_; }

 private:
  TempDir dir_;
  std::string log_file_;
  int port_;
  Process process_;
};

// The environment for an exporter whose resident memory a test bounds: under ASan without its
// quarantine, which would otherwise keep every freed block resident (inline: OOE_SANITIZED is
// defined per test binary).
inline std::vector<std::string> MemoryMeasuredEnvironment() {
#if defined(OOE_SANITIZED)
  const char* asan_options = std::getenv("ASAN_OPTIONS");
  return {"ASAN_OPTIONS=" + (asan_options != nullptr ? std::string(asan_options) + ":" : "") +
          "quarantine_size_mb=0:thread_local_quarantine_size_kb=0"};
#else
  return {};
#endif
}

}  // namespace ooe::test
