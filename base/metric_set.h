// Builds the metric families one collection produces; families are merged by name, so any
// number of targets can add to the same metric.
#pragma once

#include <prometheus/metric_family.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ooe {

using Labels = std::vector<std::pair<std::string, std::string>>;

// kUntyped is for a de-facto standard name that promtool's lint rejects with its true type
// (postgres_exporter's counter pg_stat_database_xact_commit has no `_total`, its gauge
// pg_locks_count ends in `_count`): untyped, the name dashboards query stays, and PromQL
// (rate() included) treats the series the same.
enum class MetricKind { kGauge, kCounter, kUntyped };

class MetricSet {
 public:
  // `common_labels` go first on every sample added (for example {"target", "cache"}).
  explicit MetricSet(Labels common_labels = {}) : common_labels_(std::move(common_labels)) {}

  void Gauge(std::string_view name, std::string_view help, double value, const Labels& labels = {});
  void Counter(std::string_view name, std::string_view help, double value,
               const Labels& labels = {});
  void Untyped(std::string_view name, std::string_view help, double value,
               const Labels& labels = {});
  void Add(MetricKind kind, std::string_view name, std::string_view help, double value,
           const Labels& labels = {});
  // An info metric: value 1, the facts in its labels (`..._info`, `..._build_info`).
  void Info(std::string_view name, std::string_view help, const Labels& labels) {
    Gauge(name, help, 1.0, labels);
  }

  // Gauge, counter and untyped samples added from here on are kept as lines of the exposition
  // text rather than as prometheus-cpp's ClientMetric (136 bytes and 64 a label, against some 80
  // bytes a line), except those of the families named in `structured`: a collection of
  // thousands of series (a broker's queues, a thousand containers) then takes memory as its
  // text alone. They are written the same; code that reads samples out of the families (rather
  // than their text) sees only the structured ones one by one.
  void KeepAsTextExcept(std::set<std::string, std::less<>> structured);

  // Moves every family of `other` into this set, merging families of the same name.
  void Merge(std::vector<prometheus::MetricFamily>&& other);
  bool Empty() const { return families_.empty(); }
  std::vector<prometheus::MetricFamily> Take();

 private:
  // The family `name`, added with `help` and `type` the first time.
  prometheus::MetricFamily& Family(std::string_view name, std::string_view help,
                                   prometheus::MetricType type);
  prometheus::ClientMetric& AddSample(std::string_view name, std::string_view help,
                                      prometheus::MetricType type, const Labels& labels);

  bool AddAsText(std::string_view name, std::string_view help, prometheus::MetricType type,
                 double value, const Labels& labels);

  Labels common_labels_;
  bool as_text_ = false;
  std::set<std::string, std::less<>> structured_families_;
  std::vector<prometheus::MetricFamily> families_;
  std::map<std::string, size_t, std::less<>> index_by_name_;
};

// Mapping as data: a numeric field of a parsed struct and the metric it is exported as, so that
// adding a field is one line of a table.
template <typename Sample>
struct FieldMetric {
  std::optional<double> Sample::*field;
  std::string_view name;
  MetricKind kind;
  std::string_view help;
  double scale = 1.0;
};

// Adds each field of `sample` that has a value under its metric; an absent field is left out,
// never exported as 0.
template <typename Sample, size_t N>
void AddFieldMetrics(const Sample& sample, const FieldMetric<Sample> (&table)[N],
                     const Labels& labels, MetricSet& metrics) {
  for (const auto& mapping : table) {
    if (const auto& value = sample.*mapping.field) {
      metrics.Add(mapping.kind, mapping.name, mapping.help, *value * mapping.scale, labels);
    }
  }
}

// The exposition text of `families`, as Prometheus' text format 0.0.4.
std::string SerializeText(const std::vector<prometheus::MetricFamily>& families);

}  // namespace ooe
