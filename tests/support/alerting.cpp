#include "tests/support/alerting.h"

#include <CivetServer.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <regex>
#include <stdexcept>
#include <thread>

namespace ooe::test {

struct WebhookReceiver::Impl : public CivetHandler {
  mutable std::mutex mutex;
  std::vector<Delivery> deliveries;
  std::unique_ptr<CivetServer> server;

  bool handlePost(CivetServer*, mg_connection* connection) override {
    std::string body;
    char buffer[8192];
    for (int got; (got = mg_read(connection, buffer, sizeof buffer)) > 0;) {
      body.append(buffer, static_cast<size_t>(got));
    }
    Delivery delivery;
    delivery.path = mg_get_request_info(connection)->local_uri;
    delivery.body = nlohmann::json::parse(body, nullptr, false);
    delivery.received = std::chrono::steady_clock::now();
    {
      std::lock_guard lock(mutex);
      deliveries.push_back(std::move(delivery));
    }
    mg_printf(connection, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    return true;
  }
};

WebhookReceiver::WebhookReceiver() : port_(FreePort()), impl_(std::make_unique<Impl>()) {
  impl_->server = std::make_unique<CivetServer>(std::vector<std::string>{
      "listening_ports", "127.0.0.1:" + std::to_string(port_), "num_threads", "4"});
  impl_->server->addHandler("/", impl_.get());
}

WebhookReceiver::~WebhookReceiver() { impl_->server->close(); }

std::vector<Delivery> WebhookReceiver::Deliveries() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->deliveries;
}

std::optional<Delivery> WebhookReceiver::WaitForFiring(const std::string& path,
                                                       const std::string& alertname,
                                                       std::chrono::milliseconds timeout) const {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    for (const auto& delivery : Deliveries()) {
      if (delivery.path != path || !delivery.body.is_object()) continue;
      for (const auto& alert : delivery.body.value("alerts", nlohmann::json::array())) {
        if (alert.value("status", "") == "firing" &&
            alert["labels"].value("alertname", "") == alertname) {
          return delivery;
        }
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return std::nullopt;
}

AlertmanagerServer::AlertmanagerServer(const WebhookReceiver& receiver)
    : port_(FreePort()),
      process_(
          [&] {
            // The bundled example, with fast grouping and the webhooks pointed at `receiver`.
            auto config = YAML::LoadFile(std::string(OOE_SOURCE_DIR) + "/alerts/alertmanager.yml");
            config["route"]["group_wait"] = "1s";
            config["route"]["group_interval"] = "1s";
            for (auto route : config["route"]["routes"]) {
              if (route["group_wait"]) route["group_wait"] = "1s";
            }
            for (auto receiver_config : config["receivers"]) {
              for (auto webhook : receiver_config["webhook_configs"]) {
                const auto url = webhook["url"].as<std::string>();
                webhook["url"] = receiver.Url(url.substr(url.rfind('/')));
              }
            }
            std::ofstream(dir_ / "alertmanager.yml") << config;
            return std::vector<std::string>{
                "prometheus-alertmanager",
                "--config.file=" + (dir_ / "alertmanager.yml").string(),
                "--storage.path=" + (dir_ / "data").string(),
                "--web.listen-address=127.0.0.1:" + std::to_string(port_),
                "--cluster.listen-address=",
                "--log.level=warn"};
          }(),
          (dir_ / "alertmanager.log").string()) {
  if (!WaitForPort(port_, std::chrono::seconds(20))) {
    throw std::runtime_error("alertmanager did not start: " + ReadFile(dir_ / "alertmanager.log"));
  }
}

std::vector<std::string> ShortenedRuleFiles(const std::filesystem::path& directory,
                                            const std::string& for_duration,
                                            const std::string& range) {
  static const std::regex kRange(R"(\[[0-9]+[smhd]\])");
  std::vector<std::string> paths;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(OOE_SOURCE_DIR) + "/alerts")) {
    if (!entry.path().string().ends_with(".rules.yml")) continue;
    auto rules = YAML::LoadFile(entry.path().string());
    for (auto group : rules["groups"]) {
      for (auto rule : group["rules"]) {
        if (rule["for"]) rule["for"] = for_duration;
        if (!range.empty()) {
          rule["expr"] =
              std::regex_replace(rule["expr"].as<std::string>(), kRange, "[" + range + "]");
        }
      }
    }
    const auto path = directory / entry.path().filename();
    std::ofstream(path) << rules;
    paths.push_back(path.string());
  }
  return paths;
}

}  // namespace ooe::test
