#include "tests/support/rabbitmq_server.h"

#include <stdexcept>
#include <thread>

#include "collectors/http/client.h"

namespace ooe::test {

RabbitmqServer::RabbitmqServer(bool prometheus_plugin)
    : amqp_port_(FreePort()),
      management_port_(FreePort()),
      distribution_port_(FreePort()),
      prometheus_port_(FreePort()),
      node_name_("ooe-test-" + std::to_string(amqp_port_) + "@localhost") {
  WriteFile(dir_ / "rabbitmq.conf",
            "listeners.tcp.default = 127.0.0.1:" + std::to_string(amqp_port_) +
                "\nmanagement.tcp.port = " + std::to_string(management_port_) +
                "\nmanagement.tcp.ip = 127.0.0.1\nloopback_users = none\n"
                // Queue statistics every 500 ms instead of 5 s, so counters move quickly.
                "collect_statistics_interval = 500\nprometheus.tcp.port = " +
                std::to_string(prometheus_port_) + "\nprometheus.tcp.ip = 127.0.0.1\n");
  WriteFile(dir_ / "enabled_plugins", prometheus_plugin
                                          ? "[rabbitmq_management,rabbitmq_prometheus].\n"
                                          : "[rabbitmq_management].\n");
  const std::string d = dir_.Path().string();
  // The node script itself, not Debian's wrapper, which switches to the rabbitmq user.
  process_ = std::make_unique<Process>(
      std::vector<std::string>{"/usr/lib/rabbitmq/bin/rabbitmq-server"}, d + "/server.log",
      std::vector<std::string>{"HOME=" + d, "RABBITMQ_NODENAME=" + node_name_,
                               "RABBITMQ_NODE_PORT=" + std::to_string(amqp_port_),
                               "RABBITMQ_DIST_PORT=" + std::to_string(distribution_port_),
                               "RABBITMQ_MNESIA_BASE=" + d + "/mnesia",
                               "RABBITMQ_LOG_BASE=" + d + "/log",
                               "RABBITMQ_CONFIG_FILE=" + d + "/rabbitmq.conf",
                               "RABBITMQ_ENABLED_PLUGINS_FILE=" + d + "/enabled_plugins",
                               "RABBITMQ_PID_FILE=" + d + "/pid"});
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < until) {
    if (Api("GET", "/api/overview") == 200) return;
    if (!process_->Running()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  throw std::runtime_error("rabbitmq-server did not start: " + ReadFile(dir_ / "server.log"));
}

RabbitmqServer::~RabbitmqServer() { Stop(); }

RabbitmqServer& RabbitmqServer::Shared() {
  static RabbitmqServer server;
  return server;
}

void RabbitmqServer::Stop() {
  if (process_) process_->Stop(std::chrono::milliseconds(10'000));
}

long RabbitmqServer::Api(const std::string& method, const std::string& path,
                         const std::string& json, std::string* body) const {
  HttpClient client;
  HttpRequest request;
  request.method = method;
  request.url = ManagementUrl() + path;
  request.username = "guest";
  request.password = "guest";
  request.body = json;
  if (!json.empty()) request.headers = {"Content-Type: application/json"};
  // Setting a test up, not what it measures: importing thousands of durable queues takes a
  // loaded 2-core machine well over 10 s.
  auto response = client.Perform(request, Clock::now() + std::chrono::seconds(120));
  if (body != nullptr) *body = std::move(response.body);
  return response.status;
}

void RabbitmqServer::DeclareDocumentServerTopology() const {
  const std::vector<std::pair<std::string, std::string>> calls = {
      {"/api/exchanges/%2F/ds.exchangeconvertdead", R"({"type":"fanout","durable":true})"},
      {"/api/queues/%2F/ds.convertdead", R"({"durable":true})"},
      {"/api/queues/%2F/ds.converttask",
       R"({"durable":true,"arguments":{"x-max-priority":10,"x-message-ttl":900000,)"
       R"("x-dead-letter-exchange":"ds.exchangeconvertdead"}})"},
      {"/api/queues/%2F/ds.convertresponse", R"({"durable":true})"},
      {"/api/queues/%2F/ds.delayed", R"({"durable":true})"},
      {"/api/exchanges/%2F/ds.pubsub", R"({"type":"fanout","durable":true})"},
  };
  for (const auto& [path, json] : calls) {
    const long status = Api("PUT", path, json);
    if (status != 201 && status != 204) {
      throw std::runtime_error("PUT " + path + " answered " + std::to_string(status));
    }
  }
  if (Api("POST", "/api/bindings/%2F/e/ds.exchangeconvertdead/q/ds.convertdead", "{}") != 201) {
    throw std::runtime_error("cannot bind ds.convertdead");
  }
}

void RabbitmqServer::Publish(const std::string& queue, const std::string& payload) const {
  const long status = Api("POST", "/api/exchanges/%2F/amq.default/publish",
                          R"({"properties":{},"routing_key":")" + queue + R"(","payload":")" +
                              payload + R"(","payload_encoding":"string"})");
  if (status != 200) throw std::runtime_error("publish answered " + std::to_string(status));
}

std::unique_ptr<Process> RabbitmqServer::Consume(const std::string& queue,
                                                 const std::string& exchange) const {
  // pika (Debian's python3-pika): amqp-tools' amqp-consume crashes on an exclusive
  // server-named queue, which is exactly what docservice declares on ds.pubsub.
  static const char* kConsumer = R"(
import sys, pika
port, queue, exchange = int(sys.argv[1]), sys.argv[2], sys.argv[3]
channel = pika.BlockingConnection(pika.ConnectionParameters('127.0.0.1', port)).channel()
if exchange:
    queue = channel.queue_declare('', exclusive=True).method.queue
    channel.queue_bind(queue, exchange)
channel.basic_consume(queue, lambda ch, method, _, body: ch.basic_ack(method.delivery_tag))
channel.start_consuming()
)";
  return std::make_unique<Process>(std::vector<std::string>{
      "/usr/bin/python3", "-c", kConsumer, std::to_string(amqp_port_), queue, exchange});
}

}  // namespace ooe::test
