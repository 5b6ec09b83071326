#include "collectors/rabbitmq/client.h"

namespace ooe::rabbitmq {
namespace {

// The columns the metrics use: a fraction of the full queue objects, which carry rates, garbage
// collection and backing queue details.
constexpr std::string_view kCountColumns =
    "columns=name,vhost,state,exclusive,messages_ready,messages_unacknowledged,messages";
constexpr std::string_view kStatsColumns =
    ",consumers,memory,message_stats.publish,message_stats.deliver,message_stats.ack,"
    "message_stats.redeliver";

// How long a plugin that never answered is left alone before the next try (source auto).
constexpr auto kPluginRetry = std::chrono::minutes(5);
// The most a try of a plugin that never answered may take of the scrape (source auto): a port
// that drops packets must not take the whole deadline from the fallback.
constexpr auto kPluginProbe = std::chrono::milliseconds(2000);

// /api/queues, or /api/queues/VHOST for each configured vhost.
std::vector<std::string> QueueBases(const std::vector<std::string>& vhosts) {
  if (vhosts.empty()) return {"/api/queues?"};
  std::vector<std::string> bases;
  bases.reserve(vhosts.size());
  for (const auto& vhost : vhosts) bases.push_back("/api/queues/" + PercentEncode(vhost) + "?");
  return bases;
}

}  // namespace

HttpRequest Client::Request(const std::string& url) const {
  HttpRequest request;
  request.url = url;
  request.username = endpoint_.username;
  request.password = endpoint_.password;
  request.tls = options_.tls;
  request.max_body_bytes = options_.max_body_bytes;
  request.timeout = options_.timeout;
  return request;
}

std::vector<std::string> Client::StatsPaths(int64_t page) const {
  // The management API filters by name before it looks up statistics, so this costs a list of
  // names plus the statistics of the few queues that match. Its regex finds a match anywhere:
  // anchored here, to mean the whole name as include_queues does.
  std::vector<std::string> paths;
  for (const auto& base : QueueBases(endpoint_.vhosts)) {
    paths.push_back(endpoint_.base_url + base + "page=" + std::to_string(page) +
                    "&page_size=" + std::to_string(endpoint_.page_size) + "&use_regex=true&name=" +
                    PercentEncode("^(?:" + endpoint_.stats_queues + ")$") + "&" +
                    std::string(kCountColumns) + std::string(kStatsColumns));
  }
  return paths;
}

std::vector<std::string> Client::ListPaths() const {
  // Without statistics (disable_stats) the management API answers from its queue records and
  // the queues' own counts (enable_queue_totals), in one list: paging would make it list and
  // count every queue once per page.
  std::vector<std::string> paths;
  for (const auto& base : QueueBases(endpoint_.vhosts)) {
    paths.push_back(endpoint_.base_url + base + "disable_stats=true&enable_queue_totals=true&" +
                    std::string(kCountColumns));
  }
  return paths;
}

std::string Client::DetailedUrl() const {
  // Two cheap families (ETS tables of counts): the per-object endpoint renders every queue's
  // twenty-odd series, /metrics/detailed only what is asked for.
  std::string url = endpoint_.prometheus_url +
                    "/metrics/detailed?family=queue_coarse_metrics&family=queue_consumer_count";
  for (const auto& vhost : endpoint_.vhosts) url += "&vhost=" + PercentEncode(vhost);
  return url;
}

std::optional<Error> Client::Problem(const HttpRequest& request,
                                     const HttpResponse& response) const {
  if (!response.Ok()) return response.error;
  switch (response.status) {
    case 200:
      return std::nullopt;
    case 401:
      // RabbitMQ answers 401 both for bad credentials and for a user without the tag the
      // endpoint needs; the reason in the body tells them apart.
      if (response.body.find("Not monitor user") != std::string::npos) {
        return StatusError(request, response,
                           "the user needs the 'monitoring' tag "
                           "(rabbitmqctl set_user_tags USER monitoring)");
      }
      return StatusError(request, response, "check the RabbitMQ user name and password");
    case 403:
      return StatusError(request, response, "give the user the 'monitoring' tag");
    case 404:
      if (request.url.find("/metrics/") != std::string::npos) {
        return StatusError(request, response,
                           "is this rabbitmq_prometheus (3.10 or later for /metrics/detailed)?");
      }
      return StatusError(request, response,
                         "is this the management API (rabbitmq_management plugin)?");
    default:
      return StatusError(request, response);
  }
}

std::optional<Error> Client::AppendQueues(const HttpRequest& request, HttpResponse& response,
                                          std::vector<QueueSample>& queues) const {
  if (auto problem = Problem(request, response)) return problem;
  auto page = ParseQueuePage(response.body);
  if (!page) return RequestError(request, "parse", page.error);
  std::string().swap(response.body);
  auto& items = page.value->queues;
  queues.insert(queues.end(), std::make_move_iterator(items.begin()),
                std::make_move_iterator(items.end()));
  return std::nullopt;
}

std::optional<Error> Client::ReadQueueLists(const std::vector<std::string>& paths,
                                            Clock::time_point deadline,
                                            std::vector<QueueSample>& queues) {
  std::vector<HttpRequest> requests;
  requests.reserve(paths.size());
  for (const auto& path : paths) requests.push_back(Request(path));
  auto responses = http_.PerformAll(requests, deadline);
  for (size_t i = 0; i < requests.size(); ++i) {
    if (auto problem = AppendQueues(requests[i], responses[i], queues)) return problem;
  }
  return std::nullopt;
}

HttpRequest Client::PluginRequest(DetailedQueuesParser& detailed) const {
  // The plugin needs no credentials: it gets none.
  HttpRequest plugin;
  plugin.url = DetailedUrl();
  plugin.tls = options_.tls;
  plugin.max_body_bytes = options_.max_body_bytes;
  plugin.timeout = options_.timeout;
  if (endpoint_.source == QueueSource::kAuto && !plugin_answered_) {
    const auto probe = std::chrono::duration_cast<std::chrono::milliseconds>(kPluginProbe);
    plugin.timeout = plugin.timeout.count() == 0 ? probe : std::min(plugin.timeout, probe);
  }
  plugin.on_body = [&detailed](std::string_view chunk) {
    // Read to the end even past a parse error (the parser keeps nothing more), so that an
    // error status is reported as such rather than as the text it came with.
    detailed.Feed(chunk);
    return true;
  };
  return plugin;
}

std::optional<Error> Client::ReadPluginCounts(const HttpRequest& request,
                                              const HttpResponse& response,
                                              DetailedQueuesParser& detailed,
                                              Clock::time_point deadline, Replies& replies) {
  auto queues = detailed.Finish();
  std::optional<Error> plugin_problem = Problem(request, response);
  if (!plugin_problem && !queues) plugin_problem = RequestError(request, "parse", queues.error);
  if (!plugin_problem) {
    replies.queues = std::move(*queues.value);
    replies.queue_source = "prometheus";
    plugin_answered_ = endpoint_.source == QueueSource::kAuto;
    return std::nullopt;
  }
  if (endpoint_.source == QueueSource::kPrometheus) return plugin_problem;
  // No plugin here (or not one to read): the management API's counts. A plugin that never
  // answered is left alone for a while; one that did is asked again next time (it may be
  // restarting with its node).
  plugin_retry_at_ = plugin_answered_ ? Clock::now() : Clock::now() + kPluginRetry;
  plugin_answered_ = false;
  if (auto problem = ReadQueueLists(ListPaths(), deadline, replies.queues)) return problem;
  replies.queue_source = "management";
  return std::nullopt;
}

std::optional<Error> Client::ReadStats(const std::vector<HttpRequest>& requests,
                                       std::vector<HttpResponse>& responses, size_t stats_at,
                                       Clock::time_point deadline, Replies& replies) {
  const auto stats_paths = StatsPaths(1);
  std::vector<QueueSample> stats;
  std::vector<std::string> more;
  int64_t visible = 0;
  for (size_t i = 0; i < stats_paths.size(); ++i) {
    auto page = ParseQueuePage(responses[stats_at + i].body);
    if (!page) return RequestError(requests[stats_at + i], "parse", "page 1: " + page.error);
    std::string().swap(responses[stats_at + i].body);
    visible += page->total_count;
    auto& items = page.value->queues;
    stats.insert(stats.end(), std::make_move_iterator(items.begin()),
                 std::make_move_iterator(items.end()));
    for (int64_t number = 2; number <= page->page_count; ++number) {
      more.push_back(StatsPaths(number)[i]);
    }
  }
  if (!more.empty()) {
    if (auto problem = ReadQueueLists(more, deadline, stats)) return problem;
  }
  replies.visible_queues = visible;
  // The management API's regex is its own (Erlang's re, caseless): ours decides.
  std::erase_if(
      stats, [&](const QueueSample& queue) { return !std::regex_match(queue.name, stats_regex_); });
  MergeQueueStats(replies.queues, std::move(stats));
  return std::nullopt;
}

std::optional<Replies> Client::Fetch(const ScrapeContext& context, Error& error) {
  const auto now = Clock::now();
  const bool try_plugin =
      endpoint_.source == QueueSource::kPrometheus ||
      (endpoint_.source == QueueSource::kAuto && (plugin_answered_ || now >= plugin_retry_at_));
  const bool read_stats = !endpoint_.stats_queues.empty();

  std::vector<HttpRequest> first = {
      Request(endpoint_.base_url +
              "/api/overview?columns=rabbitmq_version,erlang_version,cluster_name,node,"
              "object_totals,queue_totals"),
      Request(endpoint_.base_url +
              "/api/nodes?columns=name,running,mem_used,mem_limit,mem_alarm,disk_free,"
              "disk_free_limit,disk_free_alarm,fd_used,fd_total,sockets_used,sockets_total,"
              "proc_used,proc_total,partitions,uptime"),
  };
  const size_t stats_at = first.size();
  if (read_stats) {
    for (const auto& path : StatsPaths(1)) first.push_back(Request(path));
  }
  const size_t list_at = first.size();
  DetailedQueuesParser detailed;
  if (try_plugin) {
    first.push_back(PluginRequest(detailed));
  } else {
    for (const auto& path : ListPaths()) first.push_back(Request(path));
  }

  auto responses = http_.PerformAll(first, context.deadline);
  const auto fail = [&error](Error problem) {
    error = std::move(problem);
    return std::nullopt;
  };
  for (size_t i = 0; i < list_at; ++i) {
    if (auto problem = Problem(first[i], responses[i])) return fail(std::move(*problem));
  }
  Replies replies;
  replies.overview = std::move(responses[0].body);
  replies.nodes = std::move(responses[1].body);

  if (try_plugin) {
    if (auto problem = ReadPluginCounts(first[list_at], responses[list_at], detailed,
                                        context.deadline, replies)) {
      return fail(std::move(*problem));
    }
  } else {
    for (size_t i = list_at; i < first.size(); ++i) {
      if (auto problem = AppendQueues(first[i], responses[i], replies.queues)) {
        return fail(std::move(*problem));
      }
    }
    replies.queue_source = "management";
  }

  if (!read_stats) return replies;
  if (auto problem = ReadStats(first, responses, stats_at, context.deadline, replies)) {
    return fail(std::move(*problem));
  }
  return replies;
}

}  // namespace ooe::rabbitmq
