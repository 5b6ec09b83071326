// A real RabbitMQ node with the management plugin for tests: its own name, ports, data and
// Erlang cookie under a temporary directory, stopped (and removed) with the object.
#pragma once

#include <memory>
#include <string>

#include "tests/support/process.h"

namespace ooe::test {

class RabbitmqServer {
 public:
  // `prometheus_plugin` also enables rabbitmq_prometheus (the broker's own /metrics), for the
  // benchmark's side-by-side.
  explicit RabbitmqServer(bool prometheus_plugin = false);
  ~RabbitmqServer();
  // One node for the whole test binary (starting one takes about 6 s).
  static RabbitmqServer& Shared();

  int AmqpPort() const { return amqp_port_; }
  int ManagementPort() const { return management_port_; }
  int PrometheusPort() const { return prometheus_port_; }
  std::string ManagementUrl() const {
    return "http://127.0.0.1:" + std::to_string(management_port_);
  }

  // A management API call as guest; returns the HTTP status, the body in `body`.
  long Api(const std::string& method, const std::string& path, const std::string& json = "",
           std::string* body = nullptr) const;
  // Declares Document Server's topology: ds.converttask (priority 10, TTL 900 s, dead-letters
  // to ds.exchangeconvertdead), ds.exchangeconvertdead -> ds.convertdead, ds.convertresponse,
  // ds.delayed, and the ds.pubsub fanout.
  void DeclareDocumentServerTopology() const;
  void Publish(const std::string& queue, const std::string& payload) const;
  // An AMQP consumer on `queue` that acks each message; or, with `exchange`, on a new
  // exclusive server-named queue bound to it, as docservice does. Ends with the process.
  std::unique_ptr<Process> Consume(const std::string& queue,
                                   const std::string& exchange = "") const;

  void Stop();

 private:
  TempDir dir_;
  int amqp_port_;
  int management_port_;
  int distribution_port_;
  int prometheus_port_;
  std::string node_name_;
  std::unique_ptr<Process> process_;
};

}  // namespace ooe::test
