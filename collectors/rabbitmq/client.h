// The RabbitMQ management API transport: overview, nodes and the pages of the queue list,
// asking only for the columns the metrics use, all in flight at once.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "collectors/collector.h"
#include "collectors/http/client.h"
#include "collectors/rabbitmq/parser.h"

namespace ooe::rabbitmq {

struct Endpoint {
  std::string base_url;  // http(s)://host:port, no trailing slash
  std::string username;
  std::string password;
  TlsOptions tls;
  size_t max_body_bytes = kDefaultMaxBodyBytes;
  int page_size = 500;  // the management API's largest page
};

// What one scrape reads. The queue pages are parsed as they arrive (the first one says how many
// more there are), so only one page's text is held at a time per request.
struct Replies {
  std::string overview;
  std::string nodes;
  std::vector<QueueSample> queues;
};

class Client {
 public:
  explicit Client(Endpoint endpoint) : endpoint_(std::move(endpoint)) {}

  // All replies, or nullopt with `error` naming the request and what went wrong.
  std::optional<Replies> Fetch(const ScrapeContext& context, std::string& error);

  const Endpoint& GetEndpoint() const { return endpoint_; }

 private:
  HttpRequest Request(const std::string& path) const;
  // Empty when the answer is usable; otherwise one line saying why not.
  std::string Problem(const HttpRequest& request, const HttpResponse& response) const;
  std::string QueuesPath(int64_t page) const;

  Endpoint endpoint_;
  HttpClient http_;
};

}  // namespace ooe::rabbitmq
