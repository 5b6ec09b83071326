#include "collectors/collector.h"

#include <algorithm>
#include <set>

namespace ooe {
namespace {

bool HasSeries(const std::vector<prometheus::MetricFamily>& families, const VerdictSeries& verdict,
               const std::string& target) {
  const auto family = std::find_if(families.begin(), families.end(),
                                   [&](const auto& f) { return f.name == verdict.name; });
  if (family == families.end()) return false;
  return std::any_of(family->metric.begin(), family->metric.end(), [&](const auto& metric) {
    if (metric.label.size() != verdict.labels.size() + 1) return false;
    if (metric.label[0].name != "target" || metric.label[0].value != target) return false;
    for (size_t i = 0; i < verdict.labels.size(); ++i) {
      const auto& label = metric.label[i + 1];
      if (label.name != verdict.labels[i].first || label.value != verdict.labels[i].second) {
        return false;
      }
    }
    return true;
  });
}

void AddMissingVerdicts(const Collector& collector, const std::string& target,
                        std::vector<prometheus::MetricFamily>& families) {
  MetricSet missing({{"target", target}});
  for (const auto& verdict : collector.Verdicts()) {
    if (!HasSeries(families, verdict, target)) {
      missing.Gauge(verdict.name, verdict.help, 0.0, verdict.labels);
    }
  }
  if (missing.Empty()) return;
  MetricSet merged;
  merged.Merge(std::move(families));
  merged.Merge(missing.Take());
  families = merged.Take();
}

}  // namespace

CollectResult TargetCollector::Collect(const ScrapeContext& context) const {
  CollectResult result;
  MetricSet metrics({{"target", target}});
  // Every series as text but the verdicts, which are looked up below.
  std::set<std::string, std::less<>> verdict_names;
  for (const auto& verdict : collector->Verdicts()) verdict_names.insert(verdict.name);
  metrics.KeepAsTextExcept(std::move(verdict_names));
  try {
    result.errors = collector->Collect(context, metrics);
    result.families = metrics.Take();
  } catch (const std::exception& error) {
    // What it added before it threw may be half a reading: none of it is reported.
    result.errors.push_back(Error{.phase = "internal", .detail = error.what()});
  }
  AddMissingVerdicts(*collector, target, result.families);
  return result;
}

std::vector<prometheus::MetricFamily> TargetCollector::MissedVerdicts() const {
  std::vector<prometheus::MetricFamily> families;
  AddMissingVerdicts(*collector, target, families);
  return families;
}

}  // namespace ooe
