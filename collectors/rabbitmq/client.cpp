#include "collectors/rabbitmq/client.h"

namespace ooe::rabbitmq {

HttpRequest Client::Request(const std::string& path) const {
  HttpRequest request;
  request.url = endpoint_.base_url + path;
  request.username = endpoint_.username;
  request.password = endpoint_.password;
  request.tls = endpoint_.tls;
  request.max_body_bytes = endpoint_.max_body_bytes;
  return request;
}

std::string Client::QueuesPath(int64_t page) const {
  // Only the columns the metrics use: a fraction of the full queue objects, which carry rates,
  // garbage collection and backing queue details.
  return "/api/queues?page=" + std::to_string(page) +
         "&page_size=" + std::to_string(endpoint_.page_size) +
         "&columns=name,vhost,state,exclusive,messages_ready,messages_unacknowledged,messages,"
         "consumers,memory,message_stats.publish,message_stats.deliver,message_stats.ack,"
         "message_stats.redeliver";
}

std::string Client::Problem(const HttpRequest& request, const HttpResponse& response) const {
  if (!response.Ok()) return response.error;
  const std::string where = "GET " + RedactUrl(request.url.substr(0, request.url.find('?')));
  switch (response.status) {
    case 200:
      return {};
    case 401:
      // RabbitMQ answers 401 both for bad credentials and for a user without the tag the
      // endpoint needs; the reason in the body tells them apart.
      if (response.body.find("Not monitor user") != std::string::npos) {
        return where +
               ": HTTP 401: the user needs the 'monitoring' tag "
               "(rabbitmqctl set_user_tags USER monitoring)";
      }
      return where + ": HTTP 401 Unauthorized: check the RabbitMQ user name and password";
    case 403:
      return where + ": HTTP 403 Forbidden: give the user the 'monitoring' tag";
    case 404:
      return where + ": HTTP 404: is this the management API (rabbitmq_management plugin)?";
    default:
      return where + ": HTTP " + std::to_string(response.status);
  }
}

std::optional<Replies> Client::Fetch(const ScrapeContext& context, std::string& error) {
  const std::vector<HttpRequest> first = {
      Request("/api/overview?columns=rabbitmq_version,erlang_version,cluster_name,node,"
              "object_totals,queue_totals"),
      Request("/api/nodes?columns=name,running,mem_used,mem_limit,mem_alarm,disk_free,"
              "disk_free_limit,disk_free_alarm,fd_used,fd_total,sockets_used,sockets_total,"
              "proc_used,proc_total,partitions,uptime"),
      Request(QueuesPath(1)),
  };
  auto responses = http_.PerformAll(first, context.deadline);
  for (size_t i = 0; i < first.size(); ++i) {
    error = Problem(first[i], responses[i]);
    if (!error.empty()) return std::nullopt;
  }
  Replies replies;
  replies.overview = std::move(responses[0].body);
  replies.nodes = std::move(responses[1].body);
  auto first_page = ParseQueuePage(responses[2].body);
  if (!first_page) {
    error = "GET " + RedactUrl(endpoint_.base_url) + "/api/queues page 1: " + first_page.error;
    return std::nullopt;
  }
  replies.queues = std::move(first_page.value->queues);

  std::vector<HttpRequest> more;
  for (int64_t page = 2; page <= first_page->page_count; ++page) {
    more.push_back(Request(QueuesPath(page)));
  }
  if (more.empty()) return replies;
  auto pages = http_.PerformAll(more, context.deadline);
  for (size_t i = 0; i < more.size(); ++i) {
    error = Problem(more[i], pages[i]);
    if (!error.empty()) return std::nullopt;
    auto page = ParseQueuePage(pages[i].body);
    if (!page) {
      error = "GET " + RedactUrl(endpoint_.base_url) + "/api/queues page " + std::to_string(i + 2) +
              ": " + page.error;
      return std::nullopt;
    }
    std::string().swap(pages[i].body);
    auto& queues = page.value->queues;
    replies.queues.insert(replies.queues.end(), std::make_move_iterator(queues.begin()),
                          std::make_move_iterator(queues.end()));
  }
  return replies;
}

}  // namespace ooe::rabbitmq
