// Pure parsers of RabbitMQ's replies: the management API's /api/overview, /api/nodes and pages
// of /api/queues (the last without building a JSON tree), and rabbitmq_prometheus'
// /metrics/detailed text, fed as it arrives, so no reply is ever held whole.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/parsed.h"

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
  std::optional<double> partitions = 0.0;  // always reported: none listed is 0
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

// rabbitmq_prometheus' /metrics/detailed?family=queue_coarse_metrics&family=queue_consumer_count
// (RabbitMQ 3.10 and later): per queue its ready, unacknowledged and total messages and its
// consumers, line by line as the text arrives. A line is at most kMaxLineBytes (a queue name
// is at most 255 bytes), so only the queues found are kept, never the reply.
class DetailedQueuesParser {
 public:
  static constexpr size_t kMaxLineBytes = size_t{64} << 10;

  // The next bytes of the reply; false once it cannot be the plugin's (then Finish() says why).
  bool Feed(std::string_view chunk);
  // After the last chunk: the queues in the order they first appeared, or what is wrong.
  Parsed<std::vector<QueueSample>> Finish();

 private:
  bool Line(std::string_view line);
  bool Fail(std::string_view why);

  std::string partial_;
  std::vector<QueueSample> queues_;
  std::unordered_map<std::string, size_t> index_;  // vhost '\0' name -> position in queues_
  size_t line_number_ = 0;
  bool saw_identity_ = false;
  std::string error_;
};

// The whole reply at once (tests, fuzzing).
Parsed<std::vector<QueueSample>> ParseDetailedQueues(std::string_view body);

// Completes `queues` (counts of every queue) with the statistics of some of them (`stats`, from
// the management API: consumers, memory, state, message counters); a queue only in `stats` is
// added.
void MergeQueueStats(std::vector<QueueSample>& queues, std::vector<QueueSample> stats);

}  // namespace ooe::rabbitmq
