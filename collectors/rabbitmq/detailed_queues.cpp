#include "base/text_number.h"
#include "collectors/rabbitmq/parser.h"

// rabbitmq_prometheus' /metrics/detailed text, line by line (DetailedQueuesParser), and the merge
// of the management API's statistics into its counts; the JSON replies are in parser.cpp.
namespace ooe::rabbitmq {
namespace {

bool IsNameStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
}
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }

std::string QueueKey(std::string_view vhost, std::string_view name) {
  std::string key(vhost);
  key += '\0';
  key += name;
  return key;
}

// Where a label name ends at `at` in `block`, or npos when none starts there.
size_t LabelNameEnd(std::string_view block, size_t at) {
  if (at >= block.size() || !IsNameStart(block[at]) || block[at] == ':')
    return std::string_view::npos;
  while (at < block.size() && IsNameChar(block[at]) && block[at] != ':') ++at;
  return at;
}

// The labels between `{` and `}`: name="value",... The 3.10 plugin writes label values without
// escaping them (a queue named odd"name\x comes out as queue="odd"name\x"), so a value ends
// at the quote that ends the block or is followed by `,name="`; inside, \\, \" and \n are read
// as the text format's escapes and any other backslash as itself.
bool ParseLabels(std::string_view block, std::vector<std::pair<std::string, std::string>>& labels) {
  size_t at = 0;
  while (at < block.size()) {
    const size_t name_end = LabelNameEnd(block, at);
    if (name_end == std::string_view::npos || block.substr(name_end, 2) != "=\"") return false;
    std::string name(block.substr(at, name_end - at));
    std::string value;
    size_t i = name_end + 2;
    bool closed = false;
    while (i < block.size()) {
      const char c = block[i];
      if (c == '"') {
        if (i + 1 == block.size()) {
          closed = true;
          at = i + 1;
          break;
        }
        if (block[i + 1] == ',') {
          const size_t next_end = LabelNameEnd(block, i + 2);
          if (next_end != std::string_view::npos && block.substr(next_end, 2) == "=\"") {
            closed = true;
            at = i + 2;
            break;
          }
        }
      }
      if (c == '\\' && i + 1 < block.size() &&
          (block[i + 1] == '\\' || block[i + 1] == '"' || block[i + 1] == 'n') &&
          !(block[i + 1] == '"' && i + 2 == block.size())) {
        value += block[i + 1] == 'n' ? '\n' : block[i + 1];
        i += 2;
        continue;
      }
      value += c;
      ++i;
    }
    if (!closed) return false;
    labels.emplace_back(std::move(name), std::move(value));
  }
  return true;
}

}  // namespace

bool DetailedQueuesParser::Fail(std::string_view why) {
  if (error_.empty())
    error_ = std::string("line ").append(std::to_string(line_number_)).append(": ").append(why);
  return false;
}

bool DetailedQueuesParser::Feed(std::string_view chunk) {
  if (!error_.empty()) return false;
  while (!chunk.empty()) {
    const size_t newline = chunk.find('\n');
    const size_t take = newline == std::string_view::npos ? chunk.size() : newline;
    if (partial_.size() + take > kMaxLineBytes) {
      ++line_number_;
      return Fail(
          std::string("longer than ").append(std::to_string(kMaxLineBytes)).append(" bytes"));
    }
    if (newline == std::string_view::npos) {
      partial_.append(chunk);
      return true;
    }
    bool ok = true;
    if (partial_.empty()) {
      ok = Line(chunk.substr(0, newline));
    } else {
      partial_.append(chunk.substr(0, newline));
      ok = Line(partial_);
      partial_.clear();
    }
    if (!ok) return false;
    chunk.remove_prefix(newline + 1);
  }
  return true;
}

bool DetailedQueuesParser::Line(std::string_view line) {
  ++line_number_;
  if (line.ends_with('\r')) line.remove_suffix(1);
  if (line.empty() || line.front() == '#') return true;
  size_t name_end = 0;
  while (name_end < line.size() && IsNameChar(line[name_end])) ++name_end;
  if (name_end == 0 || !IsNameStart(line[0])) return Fail("not a metric sample");
  const std::string_view name = line.substr(0, name_end);
  std::string_view block;
  std::string_view rest = line.substr(name_end);
  if (rest.starts_with('{')) {
    const size_t close = rest.rfind('}');
    if (close == std::string_view::npos) return Fail("labels without a closing brace");
    block = rest.substr(1, close - 1);
    rest = rest.substr(close + 1);
  }
  if (!rest.starts_with(' ')) return Fail("no value after the metric name");
  rest.remove_prefix(1);
  // An optional timestamp follows the value.
  const std::string_view value_text = rest.substr(0, rest.find(' '));
  if (name == "rabbitmq_identity_info" || name == "rabbitmq_build_info") saw_identity_ = true;

  std::optional<double> QueueSample::*field = nullptr;
  if (name == "rabbitmq_detailed_queue_messages_ready") field = &QueueSample::messages_ready;
  if (name == "rabbitmq_detailed_queue_messages_unacked") {
    field = &QueueSample::messages_unacknowledged;
  }
  if (name == "rabbitmq_detailed_queue_messages") field = &QueueSample::messages;
  if (name == "rabbitmq_detailed_queue_consumers") field = &QueueSample::consumers;
  if (field == nullptr) return true;

  const auto value = TextNumber(value_text);
  if (!value)
    return Fail(std::string("\"").append(value_text.substr(0, 40)).append("\" is not a number"));
  std::vector<std::pair<std::string, std::string>> labels;
  if (!ParseLabels(block, labels)) return Fail("labels are not name=\"value\" pairs");
  const std::string* vhost = nullptr;
  const std::string* queue = nullptr;
  for (const auto& [label, text] : labels) {
    if (label == "vhost") vhost = &text;
    if (label == "queue") queue = &text;
  }
  if (vhost == nullptr || queue == nullptr)
    return Fail(std::string(name).append(" without vhost and queue"));
  auto [where, added] = index_.try_emplace(QueueKey(*vhost, *queue), queues_.size());
  if (added) {
    QueueSample sample;
    sample.vhost = *vhost;
    sample.name = *queue;
    queues_.push_back(std::move(sample));
  }
  queues_[where->second].*field = *value;
  return true;
}

Parsed<std::vector<QueueSample>> DetailedQueuesParser::Finish() {
  if (error_.empty() && !partial_.empty()) {
    const std::string last = std::move(partial_);
    partial_.clear();
    Line(last);
  }
  if (!error_.empty()) return Parsed<std::vector<QueueSample>>::Failure(error_);
  if (!saw_identity_) {
    return Parsed<std::vector<QueueSample>>::Failure(
        "no rabbitmq_identity_info: not rabbitmq_prometheus' /metrics/detailed");
  }
  index_.clear();
  return Success(std::move(queues_));
}

Parsed<std::vector<QueueSample>> ParseDetailedQueues(std::string_view body) {
  DetailedQueuesParser parser;
  parser.Feed(body);
  return parser.Finish();
}

void MergeQueueStats(std::vector<QueueSample>& queues, std::vector<QueueSample> stats) {
  std::unordered_map<std::string, size_t> index;
  for (size_t i = 0; i < stats.size(); ++i)
    index.emplace(QueueKey(stats[i].vhost, stats[i].name), i);
  std::vector<bool> used(stats.size(), false);
  for (auto& queue : queues) {
    const auto found = index.find(QueueKey(queue.vhost, queue.name));
    if (found == index.end()) continue;
    used[found->second] = true;
    // The statistics have every field the counts have, and more.
    queue = std::move(stats[found->second]);
  }
  for (size_t i = 0; i < stats.size(); ++i) {
    if (!used[i]) queues.push_back(std::move(stats[i]));
  }
}

}  // namespace ooe::rabbitmq
