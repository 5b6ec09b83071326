#include "exporter/self_metrics.h"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "exporter/version.h"

namespace ooe {
namespace {

double BootTimeSeconds() {
  std::ifstream stat("/proc/stat");
  std::string key;
  double value = 0;
  while (stat >> key) {
    if (key == "btime") {
      stat >> value;
      return value;
    }
    stat.ignore(1 << 16, '\n');
  }
  return 0;
}

}  // namespace

void AddBuildInfo(MetricSet& metrics) {
  metrics.Info("onlyoffice_exporter_build_info",
               "A metric with a constant '1' value labelled by the exporter's version and the "
               "revision it was built from.",
               {{"version", kVersion}, {"revision", kRevision}, {"compiler", __VERSION__}});
}

void AddProcessMetrics(MetricSet& metrics) {
  // /proc/self/stat: fields after the command name, which is in parentheses and may hold spaces.
  std::ifstream stat_file("/proc/self/stat");
  std::string stat((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
  const auto close = stat.rfind(')');
  if (close != std::string::npos) {
    std::istringstream fields(stat.substr(close + 2));
    std::vector<std::string> values;
    for (std::string value; fields >> value;) values.push_back(value);
    // values[0] is field 3 (state): utime is field 14, stime 15, starttime 22, vsize 23, rss 24.
    if (values.size() > 21) {
      const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
      const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
      metrics.Counter("process_cpu_seconds_total",
                      "Total user and system CPU time spent in seconds.",
                      (std::stod(values[11]) + std::stod(values[12])) / ticks);
      metrics.Gauge("process_start_time_seconds",
                    "Start time of the process since unix epoch in seconds.",
                    BootTimeSeconds() + std::stod(values[19]) / ticks);
      metrics.Gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.",
                    std::stod(values[20]));
      metrics.Gauge("process_resident_memory_bytes", "Resident memory size in bytes.",
                    std::stod(values[21]) * page);
    }
  }
  std::error_code error;
  size_t open_fds = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", error);
       !error && it != std::filesystem::directory_iterator(); it.increment(error)) {
    ++open_fds;
  }
  metrics.Gauge("process_open_fds", "Number of open file descriptors.",
                static_cast<double>(open_fds));
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    metrics.Gauge("process_max_fds", "Maximum number of open file descriptors.",
                  static_cast<double>(limit.rlim_cur));
  }
}

}  // namespace ooe
