#include "tests/support/prometheus_server.h"

#include <stdexcept>
#include <thread>

#include "tests/support/scrape.h"

namespace ooe::test {

std::string UrlEncode(const std::string& text) {
  static const char* hex = "0123456789ABCDEF";
  std::string encoded;
  for (const unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      encoded.push_back(static_cast<char>(c));
    } else {
      encoded.push_back('%');
      encoded.push_back(hex[c >> 4]);
      encoded.push_back(hex[c & 15]);
    }
  }
  return encoded;
}

PrometheusServer::PrometheusServer(const std::vector<ScrapeTarget>& targets,
                                   const std::vector<std::string>& rule_files,
                                   const std::string& extra_config,
                                   const std::string& evaluation_interval)
    : port_(FreePort()),
      process_(
          [&] {
            std::string config =
                "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                "  evaluation_interval: " +
                evaluation_interval + "\nrule_files:\n";
            for (const auto& file : rule_files) config += "  - " + file + "\n";
            config += "scrape_configs:\n";
            for (const auto& target : targets) {
              config += "  - job_name: " + target.job + "\n    static_configs:\n" +
                        "      - targets: ['" + target.address + "']\n";
            }
            config += extra_config;
            WriteFile(dir_ / "prometheus.yml", config);
            return std::vector<std::string>{
                "prometheus", "--config.file=" + (dir_ / "prometheus.yml").string(),
                "--storage.tsdb.path=" + (dir_ / "data").string(),
                "--web.listen-address=127.0.0.1:" + std::to_string(port_), "--log.level=warn"};
          }(),
          (dir_ / "prometheus.log").string()) {
  if (!WaitForPort(port_, std::chrono::seconds(20))) {
    throw std::runtime_error("prometheus did not start: " + ReadFile(dir_ / "prometheus.log"));
  }
}

nlohmann::json PrometheusServer::Query(const std::string& expr) const {
  const auto response = HttpGet(Url() + "/api/v1/query?query=" + UrlEncode(expr));
  if (response.body.empty()) {
    return {{"status", "error"}, {"error", "no answer: " + response.error}};
  }
  auto answer = nlohmann::json::parse(response.body, nullptr, false);
  if (!answer.is_object()) {  // "Service Unavailable" while it is still starting
    return {
        {"status", "error"},
        {"error", "HTTP " + std::to_string(response.status) + ": " + response.body.substr(0, 200)}};
  }
  return answer;
}

bool PrometheusServer::WaitForData(const std::string& expr,
                                   std::chrono::milliseconds timeout) const {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    const auto answer = Query(expr);
    if (answer.value("status", "") == "success" && !answer["data"]["result"].empty()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  return false;
}

}  // namespace ooe::test
