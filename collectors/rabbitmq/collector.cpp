#include "collectors/rabbitmq/collector.h"

#include <map>

#include "collectors/rabbitmq/client.h"

namespace ooe {
namespace rabbitmq {
namespace {

// Queues the broker named (amq.gen-...): short-lived per-connection queues, such as the
// exclusive queue every docservice binds to the ds.pubsub fanout.
bool IsServerNamed(const QueueSample& queue) { return queue.name.starts_with("amq.gen-"); }

void Optional(MetricSet& metrics, std::string_view name, std::string_view help,
              const std::optional<double>& value, const Labels& labels = {}) {
  if (value) metrics.Gauge(name, help, *value, labels);
}

void OptionalCounter(MetricSet& metrics, std::string_view name, std::string_view help,
                     const std::optional<double>& value, const Labels& labels) {
  if (value) metrics.Counter(name, help, *value, labels);
}

}  // namespace

void BuildMetrics(const Overview& overview, const std::vector<NodeSample>& nodes,
                  const std::vector<QueueSample>& queues, const QueueFilter& filter,
                  MetricSet& metrics) {
  metrics.Info("rabbitmq_version_info", "RabbitMQ and Erlang versions, value 1.",
               {{"rabbitmq_version", overview.rabbitmq_version},
                {"erlang_version", overview.erlang_version},
                {"cluster", overview.cluster_name},
                {"node", overview.node}});
  Optional(metrics, "rabbitmq_channels", "Channels open.", overview.channels);
  Optional(metrics, "rabbitmq_connections", "Client connections open.", overview.connections);
  Optional(metrics, "rabbitmq_consumers", "Consumers on all queues.", overview.consumers);
  Optional(metrics, "rabbitmq_exchanges", "Exchanges.", overview.exchanges);
  Optional(metrics, "rabbitmq_queues", "Queues.", overview.queues);
  Optional(metrics, "rabbitmq_queue_messages_global", "Messages in all queues.", overview.messages);
  Optional(metrics, "rabbitmq_queue_messages_ready_global",
           "Messages ready for delivery in all queues.", overview.messages_ready);
  Optional(metrics, "rabbitmq_queue_messages_unacknowledged_global",
           "Messages delivered but not acknowledged, in all queues.",
           overview.messages_unacknowledged);

  for (const auto& node : nodes) {
    const Labels labels = {{"node", node.name}};
    metrics.Gauge("rabbitmq_running", "1 when the node is running.", node.running ? 1 : 0, labels);
    Optional(metrics, "rabbitmq_node_mem_used", "Bytes of memory the node uses.", node.mem_used,
             labels);
    Optional(metrics, "rabbitmq_node_mem_limit", "Memory high watermark in bytes.", node.mem_limit,
             labels);
    Optional(metrics, "rabbitmq_node_mem_alarm", "1 while the memory alarm blocks publishers.",
             node.mem_alarm, labels);
    Optional(metrics, "rabbitmq_node_disk_free", "Bytes free on the node's data disk.",
             node.disk_free, labels);
    Optional(metrics, "rabbitmq_node_disk_free_limit", "Disk free limit in bytes.",
             node.disk_free_limit, labels);
    Optional(metrics, "rabbitmq_node_disk_free_alarm", "1 while the disk alarm blocks publishers.",
             node.disk_free_alarm, labels);
    Optional(metrics, "rabbitmq_fd_used", "File descriptors in use.", node.fd_used, labels);
    Optional(metrics, "rabbitmq_fd_available", "File descriptors the node may use.", node.fd_total,
             labels);
    Optional(metrics, "rabbitmq_sockets_used", "File descriptors used as sockets.",
             node.sockets_used, labels);
    Optional(metrics, "rabbitmq_sockets_available", "File descriptors available as sockets.",
             node.sockets_total, labels);
    Optional(metrics, "rabbitmq_proc_used", "Erlang processes in use.", node.proc_used, labels);
    Optional(metrics, "rabbitmq_proc_available", "Erlang process limit.", node.proc_total, labels);
    metrics.Gauge("rabbitmq_partitions", "Network partitions this node sees (0 is healthy).",
                  node.partitions, labels);
    if (node.uptime_milliseconds) {
      metrics.Gauge("rabbitmq_uptime_seconds", "Seconds since the node started.",
                    *node.uptime_milliseconds / 1000, labels);
    }
  }

  std::map<std::string, double> server_named_per_vhost;
  size_t exported = 0;
  size_t skipped = 0;
  for (const auto& queue : queues) {
    if (IsServerNamed(queue)) {
      server_named_per_vhost[queue.vhost] += 1;
      if (!filter.export_server_named) continue;
    }
    if (filter.include && !std::regex_match(queue.name, *filter.include)) continue;
    if (filter.exclude && std::regex_match(queue.name, *filter.exclude)) continue;
    if (exported >= filter.max_queues) {
      ++skipped;
      continue;
    }
    ++exported;
    const Labels labels = {{"vhost", queue.vhost}, {"queue", queue.name}};
    Optional(metrics, "rabbitmq_queue_messages_ready", "Messages ready for delivery.",
             queue.messages_ready, labels);
    Optional(metrics, "rabbitmq_queue_messages_unacknowledged",
             "Messages delivered but not yet acknowledged.", queue.messages_unacknowledged, labels);
    Optional(metrics, "rabbitmq_queue_messages", "Ready plus unacknowledged messages.",
             queue.messages, labels);
    Optional(metrics, "rabbitmq_queue_consumers", "Consumers of the queue.", queue.consumers,
             labels);
    Optional(metrics, "rabbitmq_queue_memory", "Bytes of memory of the queue's process.",
             queue.memory, labels);
    if (!queue.state.empty()) {
      Labels with_state = labels;
      with_state.emplace_back("state", queue.state);
      metrics.Gauge("rabbitmq_queue_state",
                    "1 when the queue is running or idle, 0 in flow, down or another state.",
                    queue.state == "running" || queue.state == "idle" ? 1 : 0, with_state);
    }
    OptionalCounter(metrics, "rabbitmq_queue_messages_published_total",
                    "Messages published to the queue.", queue.published, labels);
    OptionalCounter(metrics, "rabbitmq_queue_messages_delivered_total",
                    "Messages delivered to consumers in acknowledgement mode.", queue.delivered,
                    labels);
    OptionalCounter(metrics, "rabbitmq_queue_messages_ack_total", "Messages acknowledged.",
                    queue.acknowledged, labels);
    OptionalCounter(metrics, "rabbitmq_queue_messages_redelivered_total",
                    "Messages delivered again (redelivered flag set).", queue.redelivered, labels);
  }
  for (const auto& [vhost, count] : server_named_per_vhost) {
    metrics.Gauge("rabbitmq_queues_server_named",
                  "Server-named queues (amq.gen-*, one per docservice on ds.pubsub), counted "
                  "rather than exported one by one.",
                  count, {{"vhost", vhost}});
  }
  metrics.Gauge("rabbitmq_queues_skipped",
                "Queues left out because the max_queues limit was reached.",
                static_cast<double>(skipped));
}

}  // namespace rabbitmq

namespace {

class RabbitmqCollector final : public Collector {
 public:
  RabbitmqCollector(std::string target, rabbitmq::Endpoint endpoint, rabbitmq::QueueFilter filter)
      : target_(std::move(target)),
        description_(RedactUrl(endpoint.base_url) + " (user " + endpoint.username + ")"),
        client_(std::move(endpoint)),
        filter_(std::move(filter)) {}

  const std::string& Kind() const override {
    static const std::string kKind = "rabbitmq";
    return kKind;
  }
  const std::string& Target() const override { return target_; }
  std::string Describe() const override { return description_; }

  CollectResult Collect(const ScrapeContext& context) override {
    MetricSet metrics({{"target", target_}});
    CollectResult result;
    auto replies = client_.Fetch(context, result.error);
    bool up = false;
    if (replies) {
      const std::string base = RedactUrl(client_.GetEndpoint().base_url);
      const auto overview = rabbitmq::ParseOverview(replies->overview);
      const auto nodes = rabbitmq::ParseNodes(replies->nodes);
      if (!overview) {
        result.error = "GET " + base + "/api/overview: " + overview.error;
      } else if (!nodes) {
        result.error = "GET " + base + "/api/nodes: " + nodes.error;
      } else {
        up = true;
        rabbitmq::BuildMetrics(*overview, *nodes, replies->queues, filter_, metrics);
        // The monitoring tag shows global totals, but queues only of the vhosts the user may
        // enter: an empty list next to a non-zero total is a permissions problem.
        if (replies->queues.empty() && overview->queues.value_or(0) > 0) {
          result.error = "GET " + base + "/api/queues: the user sees none of the " +
                         std::to_string(static_cast<long long>(*overview->queues)) +
                         " queues; give it access to their vhosts (rabbitmqctl set_permissions "
                         "-p VHOST USER '' '' '' grants access without any rights)";
        }
      }
    }
    metrics.Gauge("rabbitmq_up", "1 when the management API answered, 0 otherwise.", up ? 1 : 0);
    result.families = metrics.Take();
    return result;
  }

 private:
  std::string target_;
  std::string description_;
  rabbitmq::Client client_;
  rabbitmq::QueueFilter filter_;
};

std::optional<std::regex> CompileRegex(const ConfigNode& target, std::string_view key) {
  const auto text = target.String(key, "");
  if (text.empty()) return std::nullopt;
  try {
    return std::regex(text, std::regex::ECMAScript | std::regex::optimize);
  } catch (const std::regex_error& error) {
    target.Fail(key, "'" + text + "' is not a valid regular expression: " + error.what());
  }
}

}  // namespace

std::unique_ptr<Collector> MakeRabbitmqCollector(const ConfigNode& target) {
  target.ExpectOnly({"name", "url", "username", "password_file", "password_env", "ca_file",
                     "insecure_skip_verify", "max_body_size", "include_queues", "exclude_queues",
                     "export_server_named_queues", "max_queues", "page_size"});
  rabbitmq::Endpoint endpoint;
  endpoint.base_url = target.RequiredString("url");
  while (endpoint.base_url.ends_with("/")) endpoint.base_url.pop_back();
  if (!endpoint.base_url.starts_with("http://") && !endpoint.base_url.starts_with("https://")) {
    target.Fail("url", "'" + endpoint.base_url +
                           "' must be the management API's http:// or https:// base URL");
  }
  if (endpoint.base_url.find('@') != std::string::npos) {
    target.Fail("url", "credentials do not belong in the URL; use username and password_file");
  }
  endpoint.username = target.String("username", "guest");
  endpoint.password =
      target.Secret("password").value_or(endpoint.username == "guest" ? "guest" : "");
  endpoint.tls.ca_file = target.String("ca_file", "");
  endpoint.tls.insecure_skip_verify = target.Bool("insecure_skip_verify", false);
  endpoint.max_body_bytes = target.Bytes("max_body_size", kDefaultMaxBodyBytes);
  endpoint.page_size = static_cast<int>(target.Integer("page_size", 500, 1, 500));

  rabbitmq::QueueFilter filter;
  filter.include = CompileRegex(target, "include_queues");
  filter.exclude = CompileRegex(target, "exclude_queues");
  filter.export_server_named = target.Bool("export_server_named_queues", false);
  filter.max_queues = static_cast<size_t>(target.Integer("max_queues", 5000, 0, 1'000'000));

  const auto scheme_end = endpoint.base_url.find("://") + 3;
  auto name = target.String("name", endpoint.base_url.substr(scheme_end));
  return std::make_unique<RabbitmqCollector>(std::move(name), std::move(endpoint),
                                             std::move(filter));
}

}  // namespace ooe
