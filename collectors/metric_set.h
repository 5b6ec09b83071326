// Builds the metric families one collection produces; families are merged by name, so any
// number of targets can add to the same metric.
#pragma once

#include <prometheus/metric_family.h>

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ooe {

using Labels = std::vector<std::pair<std::string, std::string>>;

class MetricSet {
 public:
  // `common_labels` go first on every sample added (for example {"target", "cache"}).
  explicit MetricSet(Labels common_labels = {}) : common_labels_(std::move(common_labels)) {}

  void Gauge(std::string_view name, std::string_view help, double value, const Labels& labels = {});
  void Counter(std::string_view name, std::string_view help, double value,
               const Labels& labels = {});
  // An info metric: value 1, the facts in its labels (`..._info`, `..._build_info`).
  void Info(std::string_view name, std::string_view help, const Labels& labels) {
    Gauge(name, help, 1.0, labels);
  }

  // Moves every family of `other` into this set, merging families of the same name.
  void Merge(std::vector<prometheus::MetricFamily>&& other);
  bool Empty() const { return families_.empty(); }
  std::vector<prometheus::MetricFamily> Take();

 private:
  prometheus::ClientMetric& AddSample(std::string_view name, std::string_view help,
                                      prometheus::MetricType type, const Labels& labels);

  Labels common_labels_;
  std::vector<prometheus::MetricFamily> families_;
  std::map<std::string, size_t, std::less<>> index_by_name_;
};

// The exposition text of `families`, as Prometheus' text format 0.0.4.
std::string SerializeText(const std::vector<prometheus::MetricFamily>& families);

}  // namespace ooe
