// The RabbitMQ transport: the management API's overview and nodes, every queue's counts from
// rabbitmq_prometheus' /metrics/detailed (or, without the plugin, from the management API with
// its statistics off), and the statistics of the queues that need them (Document Server's
// ds.*), all in flight at once.
#pragma once

#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "base/error.h"
#include "collectors/collector.h"
#include "collectors/http/client.h"
#include "collectors/rabbitmq/parser.h"
#include "collectors/target.h"

namespace ooe::rabbitmq {

// Where every queue's counts come from.
enum class QueueSource {
  kAuto,        // the plugin where it answers, else the management API
  kPrometheus,  // the plugin, or an error
  kManagement,  // the management API only
};

struct Endpoint {
  std::string base_url;  // http(s)://host:port, no trailing slash
  std::string username;
  std::string password;
  int page_size = 500;  // the management API's largest page
  QueueSource source = QueueSource::kAuto;
  std::string prometheus_url;  // rabbitmq_prometheus' base URL, no trailing slash
  // The queues (whole names) whose consumers, memory, state and message counters are read from
  // the management API's statistics; empty: none.
  std::string stats_queues = "ds\\..*";
  std::vector<std::string> vhosts;  // only these vhosts' queues; empty: all
};

struct Replies {
  std::string overview;
  std::string nodes;
  std::vector<QueueSample> queues;
  std::string queue_source;  // "prometheus" or "management": where the counts came from
  // Queues the management API user sees (the statistics query's total_count); nullopt when no
  // statistics were asked for.
  std::optional<int64_t> visible_queues;
};

class Client {
 public:
  // `endpoint.stats_queues` must be a valid regex (the configuration checked it).
  Client(Endpoint endpoint, const TargetOptions& options)
      : endpoint_(std::move(endpoint)), options_(options), stats_regex_(endpoint_.stats_queues) {}

  // All replies, or nullopt with `error` naming the request and what went wrong.
  std::optional<Replies> Fetch(const ScrapeContext& context, Error& error);

  const Endpoint& GetEndpoint() const { return endpoint_; }

 private:
  HttpRequest Request(const std::string& url) const;
  // nullopt when the answer is usable; otherwise why not.
  std::optional<Error> Problem(const HttpRequest& request, const HttpResponse& response) const;
  std::vector<std::string> StatsPaths(int64_t page) const;
  std::vector<std::string> ListPaths() const;
  std::string DetailedUrl() const;
  // Management API queue lists in flight at once, each parsed and appended to `queues`.
  std::optional<Error> ReadQueueLists(const std::vector<std::string>& paths,
                                      Clock::time_point deadline, std::vector<QueueSample>& queues);
  // One answered queue list, parsed and appended to `queues` (its body freed).
  std::optional<Error> AppendQueues(const HttpRequest& request, HttpResponse& response,
                                    std::vector<QueueSample>& queues) const;
  // GET /metrics/detailed, its body fed to `detailed` as it arrives.
  HttpRequest PluginRequest(DetailedQueuesParser& detailed) const;
  // The counts from the plugin's reply; in kAuto, when it has none to give, the management
  // API's, asked now.
  std::optional<Error> ReadPluginCounts(const HttpRequest& request, const HttpResponse& response,
                                        DetailedQueuesParser& detailed, Clock::time_point deadline,
                                        Replies& replies);
  // The statistics' first pages (`requests` from `stats_at`), then the other pages, merged into
  // `replies.queues`.
  std::optional<Error> ReadStats(const std::vector<HttpRequest>& requests,
                                 std::vector<HttpResponse>& responses, size_t stats_at,
                                 Clock::time_point deadline, Replies& replies);

  Endpoint endpoint_;
  TargetOptions options_;
  HttpClient http_;
  std::regex stats_regex_;
  // kAuto: the plugin answered before (then it gets the whole deadline), or when to ask again
  // after it did not.
  bool plugin_answered_ = false;
  Clock::time_point plugin_retry_at_{};
};

}  // namespace ooe::rabbitmq
