#include "tests/support/docker_cli.h"

#include <nlohmann/json.hpp>

#include "base/json_number.h"

namespace ooe::test {

std::optional<double> CliMemoryUsageBytes(const docker::ContainerStats& stats) {
  if (!stats.memory_usage) return std::nullopt;
  if (stats.inactive_file && *stats.inactive_file < *stats.memory_usage) {
    return *stats.memory_usage - *stats.inactive_file;
  }
  return *stats.memory_usage;
}

std::optional<double> CliCpuPercent(std::string_view stats_reply) {
  const auto root = nlohmann::json::parse(stats_reply, nullptr, false);
  if (!root.is_object()) return std::nullopt;
  const auto section = [&](const char* name) {
    return root.contains(name) ? root[name] : nlohmann::json();
  };
  const auto cpu = section("cpu_stats");
  const auto precpu = section("precpu_stats");
  const auto usage = [](const nlohmann::json& stats) {
    return stats.is_object() && stats.contains("cpu_usage")
               ? JsonNumber(stats["cpu_usage"], "total_usage")
               : std::nullopt;
  };
  const auto total = usage(cpu);
  const auto pretotal = usage(precpu);
  const auto system = JsonNumber(cpu, "system_cpu_usage");
  const auto presystem = JsonNumber(precpu, "system_cpu_usage");
  auto cpus = JsonNumber(cpu, "online_cpus");
  if (!cpus && cpu.is_object() && cpu.contains("cpu_usage") &&
      cpu["cpu_usage"].contains("percpu_usage") && cpu["cpu_usage"]["percpu_usage"].is_array()) {
    cpus = static_cast<double>(cpu["cpu_usage"]["percpu_usage"].size());
  }
  if (!total || !pretotal || !system || !presystem || !cpus) return std::nullopt;
  const double cpu_delta = *total - *pretotal;
  const double system_delta = *system - *presystem;
  if (system_delta <= 0 || cpu_delta < 0) return 0.0;
  return cpu_delta / system_delta * *cpus * 100.0;
}

}  // namespace ooe::test
