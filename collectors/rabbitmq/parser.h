// Pure parsers of RabbitMQ management API replies: /api/overview, /api/nodes and pages of
// /api/queues (the last without building a JSON tree, so memory does not grow with the queues).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/parsed.h"

namespace ooe::rabbitmq {

struct Overview {
  std::string rabbitmq_version;
  std::string erlang_version;
  std::string cluster_name;
  std::string node;
  // object_totals
  std::optional<double> channels, connections, consumers, exchanges, queues;
  // queue_totals
  std::optional<double> messages, messages_ready, messages_unacknowledged;
};

struct NodeSample {
  std::string name;
  bool running = false;
  std::optional<double> mem_used, mem_limit, mem_alarm;
  std::optional<double> disk_free, disk_free_limit, disk_free_alarm;
  std::optional<double> fd_used, fd_total, sockets_used, sockets_total;
  std::optional<double> proc_used, proc_total;
  std::optional<double> uptime_milliseconds;
  double partitions = 0;
};

struct QueueSample {
  std::string vhost;
  std::string name;
  std::string state;  // running, idle, flow, down ... (absent while stats are not in yet)
  bool exclusive = false;
  std::optional<double> messages_ready, messages_unacknowledged, messages, consumers, memory;
  // message_stats: counters since the queue was created
  std::optional<double> published, delivered, acknowledged, redelivered;
};

// One reply of GET /api/queues: a bare array (no pagination) or one page of
// {"items": [...], "page": N, "page_count": M, ...}.
struct QueuePage {
  std::vector<QueueSample> queues;
  int64_t page = 1;
  int64_t page_count = 1;
  int64_t total_count = 0;
};

Parsed<Overview> ParseOverview(std::string_view body);
Parsed<std::vector<NodeSample>> ParseNodes(std::string_view body);
Parsed<QueuePage> ParseQueuePage(std::string_view body);

}  // namespace ooe::rabbitmq
