#include "collectors/rabbitmq/collector.h"

#include <map>

namespace ooe::rabbitmq {
namespace {

using enum MetricKind;

constexpr FieldMetric<Overview> kOverviewMetrics[] = {
    {&Overview::channels, "rabbitmq_channels", kGauge, "Channels open."},
    {&Overview::connections, "rabbitmq_connections", kGauge, "Client connections open."},
    {&Overview::consumers, "rabbitmq_consumers", kGauge, "Consumers on all queues."},
    {&Overview::exchanges, "rabbitmq_exchanges", kGauge, "Exchanges."},
    {&Overview::queues, "rabbitmq_queues", kGauge, "Queues."},
    {&Overview::messages, "rabbitmq_queue_messages_global", kGauge, "Messages in all queues."},
    {&Overview::messages_ready, "rabbitmq_queue_messages_ready_global", kGauge,
     "Messages ready for delivery in all queues."},
    {&Overview::messages_unacknowledged, "rabbitmq_queue_messages_unacknowledged_global", kGauge,
     "Messages delivered but not acknowledged, in all queues."},
};

constexpr FieldMetric<NodeSample> kNodeMetrics[] = {
    {&NodeSample::mem_used, "rabbitmq_node_mem_used", kGauge, "Bytes of memory the node uses."},
    {&NodeSample::mem_limit, "rabbitmq_node_mem_limit", kGauge, "Memory high watermark in bytes."},
    {&NodeSample::mem_alarm, "rabbitmq_node_mem_alarm", kGauge,
     "1 while the memory alarm blocks publishers."},
    {&NodeSample::disk_free, "rabbitmq_node_disk_free", kGauge,
     "Bytes free on the node's data disk."},
    {&NodeSample::disk_free_limit, "rabbitmq_node_disk_free_limit", kGauge,
     "Disk free limit in bytes."},
    {&NodeSample::disk_free_alarm, "rabbitmq_node_disk_free_alarm", kGauge,
     "1 while the disk alarm blocks publishers."},
    {&NodeSample::fd_used, "rabbitmq_fd_used", kGauge, "File descriptors in use."},
    {&NodeSample::fd_total, "rabbitmq_fd_available", kGauge, "File descriptors the node may use."},
    {&NodeSample::sockets_used, "rabbitmq_sockets_used", kGauge,
     "File descriptors used as sockets."},
    {&NodeSample::sockets_total, "rabbitmq_sockets_available", kGauge,
     "File descriptors available as sockets."},
    {&NodeSample::proc_used, "rabbitmq_proc_used", kGauge, "Erlang processes in use."},
    {&NodeSample::proc_total, "rabbitmq_proc_available", kGauge, "Erlang process limit."},
    {&NodeSample::partitions, "rabbitmq_partitions", kGauge,
     "Network partitions this node sees (0 is healthy)."},
    {&NodeSample::uptime_milliseconds, "rabbitmq_uptime_seconds", kGauge,
     "Seconds since the node started.", 1e-3},
};

constexpr FieldMetric<QueueSample> kQueueMetrics[] = {
    {&QueueSample::messages_ready, "rabbitmq_queue_messages_ready", kGauge,
     "Messages ready for delivery."},
    {&QueueSample::messages_unacknowledged, "rabbitmq_queue_messages_unacknowledged", kGauge,
     "Messages delivered but not yet acknowledged."},
    {&QueueSample::messages, "rabbitmq_queue_messages", kGauge,
     "Ready plus unacknowledged messages."},
    {&QueueSample::consumers, "rabbitmq_queue_consumers", kGauge, "Consumers of the queue."},
    {&QueueSample::memory, "rabbitmq_queue_memory", kGauge,
     "Bytes of memory of the queue's process."},
    {&QueueSample::published, "rabbitmq_queue_messages_published_total", kCounter,
     "Messages published to the queue."},
    {&QueueSample::delivered, "rabbitmq_queue_messages_delivered_total", kCounter,
     "Messages delivered to consumers in acknowledgement mode."},
    {&QueueSample::acknowledged, "rabbitmq_queue_messages_ack_total", kCounter,
     "Messages acknowledged."},
    {&QueueSample::redelivered, "rabbitmq_queue_messages_redelivered_total", kCounter,
     "Messages delivered again (redelivered flag set)."},
};

// Queues the broker named (amq.gen-...): short-lived per-connection queues, such as the
// exclusive queue every docservice binds to the ds.pubsub fanout.
bool IsServerNamed(const QueueSample& queue) { return queue.name.starts_with("amq.gen-"); }

void AddQueue(const QueueSample& queue, MetricSet& metrics) {
  const Labels labels = {{"vhost", queue.vhost}, {"queue", queue.name}};
  AddFieldMetrics(queue, kQueueMetrics, labels, metrics);
  if (!queue.state.empty()) {
    Labels with_state = labels;
    with_state.emplace_back("state", queue.state);
    metrics.Gauge("rabbitmq_queue_state",
                  "1 when the queue is running or idle, 0 in flow, down or another state.",
                  queue.state == "running" || queue.state == "idle" ? 1 : 0, with_state);
  }
}

void AddQueues(const std::vector<QueueSample>& queues, const QueueFilter& filter,
               MetricSet& metrics) {
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
    AddQueue(queue, metrics);
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

}  // namespace

void BuildMetrics(const Overview& overview, const std::vector<NodeSample>& nodes,
                  const std::vector<QueueSample>& queues, const QueueFilter& filter,
                  MetricSet& metrics) {
  metrics.Info("rabbitmq_version_info", "RabbitMQ and Erlang versions, value 1.",
               {{"rabbitmq_version", overview.rabbitmq_version},
                {"erlang_version", overview.erlang_version},
                {"cluster", overview.cluster_name},
                {"node", overview.node}});
  AddFieldMetrics(overview, kOverviewMetrics, {}, metrics);
  for (const auto& node : nodes) {
    const Labels labels = {{"node", node.name}};
    metrics.Gauge("rabbitmq_running", "1 when the node is running.", node.running ? 1 : 0, labels);
    AddFieldMetrics(node, kNodeMetrics, labels, metrics);
  }
  AddQueues(queues, filter, metrics);
}

RabbitmqCollector::RabbitmqCollector(Endpoint endpoint, QueueFilter filter,
                                     const TargetOptions& options)
    : description_(RedactUrl(endpoint.base_url) + " (user " + endpoint.username + ")" +
                   (endpoint.source == QueueSource::kManagement
                        ? std::string()
                        : ", queue counts from " + RedactUrl(endpoint.prometheus_url) +
                              "/metrics/detailed" +
                              (endpoint.source == QueueSource::kAuto ? " where it answers" : ""))),
      client_(std::move(endpoint), options),
      filter_(std::move(filter)) {}

const std::vector<VerdictSeries>& RabbitmqCollector::Verdicts() const {
  static const std::vector<VerdictSeries> kVerdicts = {
      {"rabbitmq_up", "1 when the management API answered, 0 otherwise.", {}}};
  return kVerdicts;
}

std::vector<Error> RabbitmqCollector::Collect(const ScrapeContext& context, MetricSet& metrics) {
  std::vector<Error> errors;
  Error error;
  auto replies = client_.Fetch(context, error);
  bool up = false;
  if (!replies) {
    errors.push_back(std::move(error));
  } else {
    const std::string base = RedactUrl(client_.GetEndpoint().base_url);
    const auto overview = ParseOverview(replies->overview);
    const auto nodes = ParseNodes(replies->nodes);
    if (!overview) {
      errors.push_back({.operation = "GET",
                        .resource = base + "/api/overview",
                        .phase = "parse",
                        .detail = overview.error});
    } else if (!nodes) {
      errors.push_back({.operation = "GET",
                        .resource = base + "/api/nodes",
                        .phase = "parse",
                        .detail = nodes.error});
    } else {
      up = true;
      BuildMetrics(*overview, *nodes, replies->queues, filter_, metrics);
      metrics.Gauge("onlyoffice_exporter_rabbitmq_queue_source",
                    "Where every queue's counts came from this scrape (value 1): prometheus "
                    "(rabbitmq_prometheus' /metrics/detailed) or management (its API).",
                    1, {{"source", replies->queue_source}});
      // The monitoring tag shows global totals, but queues only of the vhosts the user may
      // enter: none visible next to a non-zero total is a permissions problem (the plugin
      // shows every queue, the statistics query only the visible ones).
      const auto visible =
          replies->visible_queues.value_or(static_cast<int64_t>(replies->queues.size()));
      if (visible == 0 && overview->queues.value_or(0) > 0 &&
          client_.GetEndpoint().vhosts.empty()) {
        errors.push_back(
            {.operation = "GET",
             .resource = base + "/api/queues",
             .phase = "auth",
             .detail = "the user sees none of the " +
                       std::to_string(static_cast<long long>(*overview->queues)) + " queues",
             .hint = "give it access to their vhosts (rabbitmqctl set_permissions -p VHOST USER "
                     "'' '' '' grants access without any rights)"});
      }
    }
  }
  metrics.Gauge(Verdicts()[0].name, Verdicts()[0].help, up ? 1 : 0);
  return errors;
}

}  // namespace ooe::rabbitmq
