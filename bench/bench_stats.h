// Small helpers the benchmarks share: percentiles of timings and a process's resident memory.
#pragma once

#include <sys/types.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace ooe::bench {

inline double Percentile(std::vector<double> values, double fraction) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const auto index = static_cast<size_t>(fraction * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

// VmRSS of `pid` in bytes (0 when unknown).
// A process's resident memory from /proc/PID/status: "VmRSS:" (all of it, shared libraries'
// pages included) or "RssAnon:" (its own heap and stacks).
inline double ResidentBytes(pid_t pid, const std::string& field = "VmRSS:") {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string key;
  while (status >> key) {
    if (key == field) {
      double kib = 0;
      status >> kib;
      return kib * 1024;
    }
    status.ignore(1 << 16, '\n');
  }
  return 0;
}

}  // namespace ooe::bench
