#include "base/metric_set.h"

#include <prometheus/text_serializer.h>

#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <sstream>

namespace ooe {

namespace {

// A sample value as prometheus-cpp 1.0 writes it (ostream, classic locale, 16 significant
// digits, "Nan", "+Inf", "-Inf"), with to_chars instead of a stream.
void AppendValue(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "Nan";
  } else if (std::isinf(value)) {
    out += value < 0 ? "-Inf" : "+Inf";
  } else {
    std::array<char, 32> buffer{};
    const auto result =
        std::to_chars(buffer.data(), buffer.data() + buffer.size(), value,
                      std::chars_format::general, std::numeric_limits<double>::max_digits10 - 1);
    out.append(buffer.data(), result.ptr);
  }
}

// A label value, as the text format escapes it: backslash, double quote and line feed.
void AppendLabelValue(std::string& out, const std::string& value) {
  for (const char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
}

// A ClientMetric that stands for many samples of its family, already written as text lines
// (MetricSet::KeepAsTextExcept): its one label has this name, which no real label can have.
constexpr std::string_view kTextLinesLabel = "\x01lines";

bool IsTextLines(const prometheus::ClientMetric& metric) {
  return metric.label.size() == 1 && metric.label[0].name == kTextLinesLabel;
}

}  // namespace

void MetricSet::KeepAsTextExcept(std::set<std::string, std::less<>> structured) {
  as_text_ = true;
  structured_families_ = std::move(structured);
}

prometheus::MetricFamily& MetricSet::Family(std::string_view name, std::string_view help,
                                            prometheus::MetricType type) {
  auto found = index_by_name_.find(name);
  if (found == index_by_name_.end()) {
    prometheus::MetricFamily family;
    family.name = std::string(name);
    family.help = std::string(help);
    family.type = type;
    families_.push_back(std::move(family));
    found = index_by_name_.emplace(std::string(name), families_.size() - 1).first;
  }
  return families_[found->second];
}

prometheus::ClientMetric& MetricSet::AddSample(std::string_view name, std::string_view help,
                                               prometheus::MetricType type, const Labels& labels) {
  auto& metric = Family(name, help, type).metric.emplace_back();
  metric.label.reserve(common_labels_.size() + labels.size());
  for (const auto& [label_name, label_value] : common_labels_) {
    metric.label.push_back({label_name, label_value});
  }
  for (const auto& [label_name, label_value] : labels) {
    metric.label.push_back({label_name, label_value});
  }
  return metric;
}

bool MetricSet::AddAsText(std::string_view name, std::string_view help, prometheus::MetricType type,
                          double value, const Labels& labels) {
  if (!as_text_ || structured_families_.contains(name)) return false;
  auto& metrics = Family(name, help, type).metric;
  if (metrics.empty() || !IsTextLines(metrics.back())) {
    metrics.emplace_back().label.push_back({std::string(kTextLinesLabel), std::string()});
  }
  std::string& lines = metrics.back().label[0].value;
  lines.append(name);
  if (!common_labels_.empty() || !labels.empty()) {
    lines += '{';
    bool first = true;
    for (const Labels* set : {static_cast<const Labels*>(&common_labels_), &labels}) {
      for (const auto& [label_name, label_value] : *set) {
        if (!first) lines += ',';
        first = false;
        lines.append(label_name).append("=\"");
        AppendLabelValue(lines, label_value);
        lines += '"';
      }
    }
    lines += '}';
  }
  lines += ' ';
  AppendValue(lines, value);
  lines += '\n';
  return true;
}

void MetricSet::Gauge(std::string_view name, std::string_view help, double value,
                      const Labels& labels) {
  if (AddAsText(name, help, prometheus::MetricType::Gauge, value, labels)) return;
  AddSample(name, help, prometheus::MetricType::Gauge, labels).gauge.value = value;
}

void MetricSet::Counter(std::string_view name, std::string_view help, double value,
                        const Labels& labels) {
  if (AddAsText(name, help, prometheus::MetricType::Counter, value, labels)) return;
  AddSample(name, help, prometheus::MetricType::Counter, labels).counter.value = value;
}

void MetricSet::Untyped(std::string_view name, std::string_view help, double value,
                        const Labels& labels) {
  if (AddAsText(name, help, prometheus::MetricType::Untyped, value, labels)) return;
  AddSample(name, help, prometheus::MetricType::Untyped, labels).untyped.value = value;
}

void MetricSet::Add(MetricKind kind, std::string_view name, std::string_view help, double value,
                    const Labels& labels) {
  switch (kind) {
    case MetricKind::kCounter:
      Counter(name, help, value, labels);
      break;
    case MetricKind::kUntyped:
      Untyped(name, help, value, labels);
      break;
    case MetricKind::kGauge:
      Gauge(name, help, value, labels);
      break;
  }
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
  // Counters and gauges, nearly all of every scrape, are written here straight into one
  // string: prometheus-cpp's ostream serializer took 8-24 ms for the 550 KB of 100 containers.
  // Anything else (histograms, summaries) goes through prometheus-cpp's own.
  // Reserved whole: a doubling string of 8 MB (1,000 containers) peaked at 20 MB with its copies.
  size_t size = 0;
  for (const auto& family : families) {
    size += 256;
    for (const auto& metric : family.metric) {
      size += IsTextLines(metric) ? metric.label[0].value.size() : 128;
    }
  }
  std::string out;
  out.reserve(size);
  for (const auto& family : families) {
    const char* type = nullptr;
    switch (family.type) {
      case prometheus::MetricType::Counter:
        type = "counter";
        break;
      case prometheus::MetricType::Gauge:
        type = "gauge";
        break;
      case prometheus::MetricType::Untyped:
        type = "untyped";
        break;
      default: {
        std::ostringstream other;
        prometheus::TextSerializer().Serialize(other, {family});
        out += std::move(other).str();
        continue;
      }
    }
    if (!family.help.empty()) {
      out.append("# HELP ").append(family.name).append(" ").append(family.help).append("\n");
    }
    out.append("# TYPE ").append(family.name).append(" ").append(type).append("\n");
    for (const auto& metric : family.metric) {
      if (IsTextLines(metric)) {
        out += metric.label[0].value;
        continue;
      }
      out += family.name;
      if (!metric.label.empty()) {
        out += '{';
        for (size_t i = 0; i < metric.label.size(); ++i) {
          if (i > 0) out += ',';
          out.append(metric.label[i].name).append("=\"");
          AppendLabelValue(out, metric.label[i].value);
          out += '"';
        }
        out += '}';
      }
      out += ' ';
      AppendValue(out, family.type == prometheus::MetricType::Counter ? metric.counter.value
                       : family.type == prometheus::MetricType::Gauge ? metric.gauge.value
                                                                      : metric.untyped.value);
      if (metric.timestamp_ms != 0) out.append(" ").append(std::to_string(metric.timestamp_ms));
      out += '\n';
    }
  }
  return out;
}

}  // namespace ooe
