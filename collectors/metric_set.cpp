#include "collectors/metric_set.h"

#include <prometheus/text_serializer.h>

#include <sstream>

namespace ooe {

prometheus::ClientMetric& MetricSet::AddSample(std::string_view name, std::string_view help,
                                               prometheus::MetricType type, const Labels& labels) {
  auto found = index_by_name_.find(name);
  if (found == index_by_name_.end()) {
    prometheus::MetricFamily family;
    family.name = std::string(name);
    family.help = std::string(help);
    family.type = type;
    families_.push_back(std::move(family));
    found = index_by_name_.emplace(std::string(name), families_.size() - 1).first;
  }
  auto& metric = families_[found->second].metric.emplace_back();
  metric.label.reserve(common_labels_.size() + labels.size());
  for (const auto& [label_name, label_value] : common_labels_) {
    metric.label.push_back({label_name, label_value});
  }
  for (const auto& [label_name, label_value] : labels) {
    metric.label.push_back({label_name, label_value});
  }
  return metric;
}

void MetricSet::Gauge(std::string_view name, std::string_view help, double value,
                      const Labels& labels) {
  AddSample(name, help, prometheus::MetricType::Gauge, labels).gauge.value = value;
}

void MetricSet::Counter(std::string_view name, std::string_view help, double value,
                        const Labels& labels) {
  AddSample(name, help, prometheus::MetricType::Counter, labels).counter.value = value;
}

void MetricSet::Merge(std::vector<prometheus::MetricFamily>&& other) {
  for (auto& family : other) {
    auto found = index_by_name_.find(family.name);
    if (found == index_by_name_.end()) {
      index_by_name_.emplace(family.name, families_.size());
      families_.push_back(std::move(family));
      continue;
    }
    auto& into = families_[found->second].metric;
    into.insert(into.end(), std::make_move_iterator(family.metric.begin()),
                std::make_move_iterator(family.metric.end()));
  }
}

std::vector<prometheus::MetricFamily> MetricSet::Take() {
  index_by_name_.clear();
  return std::move(families_);
}

std::string SerializeText(const std::vector<prometheus::MetricFamily>& families) {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families);
  return std::move(out).str();
}

}  // namespace ooe
