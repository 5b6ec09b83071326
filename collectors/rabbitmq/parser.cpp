#include "collectors/rabbitmq/parser.h"

#include <nlohmann/json.hpp>

#include "base/json_number.h"

namespace ooe::rabbitmq {
namespace {

using nlohmann::json;

std::string StringOr(const json& object, std::string_view key) {
  return JsonString(object, key).value_or("");
}

// The queue list, element by element: each item becomes a QueueSample as its fields go by.
class QueuePageHandler : public nlohmann::json_sax<json> {
 public:
  // More pages, and queues, than any broker has (100,000 pages of 500 are 50 million queues).
  static constexpr int64_t kMaxPages = 100'000;
  static constexpr int64_t kMaxQueues = 1'000'000'000;

  explicit QueuePageHandler(QueuePage& page) : page_(page) {}

  bool null() override { return true; }
  bool boolean(bool value) override {
    if (InItemField() && key_ == "exclusive") current_.exclusive = value;
    return true;
  }
  bool number_integer(number_integer_t value) override {
    return Number(static_cast<double>(value));
  }
  bool number_unsigned(number_unsigned_t value) override {
    return Number(static_cast<double>(value));
  }
  bool number_float(number_float_t value, const string_t&) override { return Number(value); }
  bool string(string_t& value) override {
    if (InItemField()) {
      if (key_ == "name") current_.name = value;
      if (key_ == "vhost") current_.vhost = value;
      if (key_ == "state") current_.state = value;
    }
    return true;
  }
  bool binary(binary_t&) override { return true; }

  bool start_object(std::size_t) override {
    const bool item_starts = (depth_ == 1 && top_is_array_) || (depth_ == 2 && in_items_);
    ++depth_;
    if (item_starts) {
      current_ = QueueSample();
      item_depth_ = depth_;
    } else if (item_depth_ != 0 && depth_ == item_depth_ + 1) {
      in_message_stats_ = key_ == "message_stats";
    }
    return true;
  }
  bool end_object() override {
    if (item_depth_ != 0 && depth_ == item_depth_) {
      page_.queues.push_back(std::move(current_));
      item_depth_ = 0;
    }
    if (item_depth_ != 0 && depth_ == item_depth_ + 1) in_message_stats_ = false;
    --depth_;
    return true;
  }
  bool start_array(std::size_t) override {
    ++depth_;
    if (depth_ == 1) top_is_array_ = true;
    if (depth_ == 2 && key_ == "items") in_items_ = saw_items_ = true;
    return true;
  }
  bool end_array() override {
    if (depth_ == 2) in_items_ = false;
    --depth_;
    return true;
  }
  bool key(string_t& value) override {
    key_ = value;
    return true;
  }
  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& error) override {
    error_ = "not valid JSON at byte " + std::to_string(position) + ": " + error.what();
    return false;
  }

  const std::string& Error() const { return error_; }
  bool IsQueueList() const { return top_is_array_ || saw_items_; }

 private:
  bool InItemField() const { return item_depth_ != 0 && depth_ == item_depth_; }

  bool Number(double value) {
    if (InItemField()) {
      if (key_ == "messages_ready") current_.messages_ready = value;
      if (key_ == "messages_unacknowledged") current_.messages_unacknowledged = value;
      if (key_ == "messages") current_.messages = value;
      if (key_ == "consumers") current_.consumers = value;
      if (key_ == "memory") current_.memory = value;
    } else if (in_message_stats_ && depth_ == item_depth_ + 1) {
      if (key_ == "publish") current_.published = value;
      if (key_ == "deliver") current_.delivered = value;
      if (key_ == "ack") current_.acknowledged = value;
      if (key_ == "redeliver") current_.redelivered = value;
    } else if (depth_ == 1 && !top_is_array_) {
      if (key_ == "page") return Count(value, 1, kMaxPages, page_.page);
      if (key_ == "page_count") return Count(value, 0, kMaxPages, page_.page_count);
      if (key_ == "total_count") return Count(value, 0, kMaxQueues, page_.total_count);
    }
    return true;
  }

  // A page number or count: the client requests pages 2..page_count, so a huge or fractional
  // one is refused rather than turned into millions of requests (or an undefined cast).
  bool Count(double value, int64_t min, int64_t max, int64_t& count) {
    if (!(value >= static_cast<double>(min) && value <= static_cast<double>(max)) ||
        value != static_cast<double>(static_cast<int64_t>(value))) {
      error_ = "\"" + key_ + "\" is not a whole number from " + std::to_string(min) + " to " +
               std::to_string(max);
      return false;
    }
    count = static_cast<int64_t>(value);
    return true;
  }

  QueuePage& page_;
  QueueSample current_;
  std::string key_;
  std::string error_;
  int depth_ = 0;
  int item_depth_ = 0;
  bool top_is_array_ = false;
  bool in_items_ = false;
  bool in_message_stats_ = false;
  bool saw_items_ = false;
};

}  // namespace

Parsed<Overview> ParseOverview(std::string_view body) {
  const auto root = json::parse(body, nullptr, false);
  if (root.is_discarded()) return Parsed<Overview>::Failure("not valid JSON");
  if (!root.is_object()) return Parsed<Overview>::Failure("not a JSON object");
  Overview overview;
  overview.rabbitmq_version = StringOr(root, "rabbitmq_version");
  overview.erlang_version = StringOr(root, "erlang_version");
  overview.cluster_name = StringOr(root, "cluster_name");
  overview.node = StringOr(root, "node");
  if (overview.rabbitmq_version.empty()) {
    return Parsed<Overview>::Failure("no rabbitmq_version: not a management API overview");
  }
  const auto totals = root.value("object_totals", json::object());
  overview.channels = JsonNumber(totals, "channels");
  overview.connections = JsonNumber(totals, "connections");
  overview.consumers = JsonNumber(totals, "consumers");
  overview.exchanges = JsonNumber(totals, "exchanges");
  overview.queues = JsonNumber(totals, "queues");
  const auto queue_totals = root.value("queue_totals", json::object());
  overview.messages = JsonNumber(queue_totals, "messages");
  overview.messages_ready = JsonNumber(queue_totals, "messages_ready");
  overview.messages_unacknowledged = JsonNumber(queue_totals, "messages_unacknowledged");
  return Success(std::move(overview));
}

Parsed<std::vector<NodeSample>> ParseNodes(std::string_view body) {
  const auto root = json::parse(body, nullptr, false);
  if (root.is_discarded()) return Parsed<std::vector<NodeSample>>::Failure("not valid JSON");
  if (!root.is_array()) return Parsed<std::vector<NodeSample>>::Failure("not a JSON array");
  std::vector<NodeSample> nodes;
  for (const auto& item : root) {
    NodeSample node;
    node.name = StringOr(item, "name");
    if (node.name.empty()) continue;
    // value("running", false) would throw on a non-boolean.
    const auto running = item.find("running");
    node.running = running != item.end() && running->is_boolean() && running->get<bool>();
    node.mem_used = JsonNumber(item, "mem_used");
    node.mem_limit = JsonNumber(item, "mem_limit");
    node.mem_alarm = JsonNumber(item, "mem_alarm");
    node.disk_free = JsonNumber(item, "disk_free");
    node.disk_free_limit = JsonNumber(item, "disk_free_limit");
    node.disk_free_alarm = JsonNumber(item, "disk_free_alarm");
    node.fd_used = JsonNumber(item, "fd_used");
    node.fd_total = JsonNumber(item, "fd_total");
    node.sockets_used = JsonNumber(item, "sockets_used");
    node.sockets_total = JsonNumber(item, "sockets_total");
    node.proc_used = JsonNumber(item, "proc_used");
    node.proc_total = JsonNumber(item, "proc_total");
    node.uptime_milliseconds = JsonNumber(item, "uptime");
    if (item.contains("partitions") && item["partitions"].is_array()) {
      node.partitions = static_cast<double>(item["partitions"].size());
    }
    nodes.push_back(std::move(node));
  }
  return Success(std::move(nodes));
}

Parsed<QueuePage> ParseQueuePage(std::string_view body) {
  QueuePage page;
  QueuePageHandler handler(page);
  const bool parsed = json::sax_parse(body, &handler);
  if (!parsed) return Parsed<QueuePage>::Failure(handler.Error());
  if (!handler.IsQueueList()) {
    return Parsed<QueuePage>::Failure("neither a list of queues nor a page of them");
  }
  if (page.total_count == 0) page.total_count = static_cast<int64_t>(page.queues.size());
  return Success(std::move(page));
}

}  // namespace ooe::rabbitmq
