#include "exporter/scrape.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>
#include <thread>

#include "base/log.h"
#include "base/metric_set.h"
#include "exporter/self_metrics.h"

namespace ooe {

struct Scraper::Slot {
  TargetCollector collector;
  // Set while Collect() runs; a collector that overran one deadline is not started twice.
  std::atomic<bool> busy{false};
  std::mutex state_mutex;
  std::optional<std::string> last_error;  // nullopt until the first outcome
};

struct Outcome {
  CollectResult result;
  double seconds = 0;
};

struct Scraper::Collection {
  Clock::time_point started;
  Clock::time_point deadline;
  std::mutex mutex;
  std::condition_variable finished;
  std::vector<std::optional<Outcome>> outcomes;
  std::vector<bool> timeout_logged;
  size_t pending = 0;
  size_t readers = 0;  // scrapes that joined and have not yet taken the outcomes

  bool Over(Clock::time_point now) {
    std::lock_guard lock(mutex);
    return pending == 0 || now >= deadline;
  }
};

namespace {

double SecondsBetween(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

// Logs a collector's error once when it changes, not on every scrape.
void RecordState(Scraper::Slot& slot, const std::string& error) {
  std::lock_guard lock(slot.state_mutex);
  if (slot.last_error && *slot.last_error == error) return;
  const bool first = !slot.last_error.has_value();
  slot.last_error = error;
  const LogFields fields = {{"collector", slot.collector.kind}, {"target", slot.collector.target}};
  if (!error.empty()) {
    LogFields with_error = fields;
    with_error.emplace_back("err", error);
    Log(LogLevel::kError, "collector failed", with_error);
  } else if (!first) {
    Log(LogLevel::kInfo, "collector recovered", fields);
  }
}

}  // namespace

Scraper::Scraper(std::vector<TargetCollector> collectors)
    : running_threads_(std::make_shared<std::atomic<int>>(0)) {
  for (auto& collector : collectors) {
    auto slot = std::make_shared<Slot>();
    slot->collector = std::move(collector);
    slots_.push_back(std::move(slot));
  }
}

Scraper::~Scraper() { Shutdown(std::chrono::milliseconds(0)); }

std::shared_ptr<Scraper::Collection> Scraper::Join(Clock::time_point deadline) {
  std::lock_guard lock(mutex_);
  const auto now = Clock::now();
  if (in_flight_ && !in_flight_->Over(now)) {
    std::lock_guard collection_lock(in_flight_->mutex);
    ++in_flight_->readers;
    return in_flight_;
  }

  auto collection = std::make_shared<Collection>();
  collection->started = now;
  collection->deadline = deadline;
  collection->outcomes.resize(slots_.size());
  collection->timeout_logged.resize(slots_.size());
  collection->pending = slots_.size();
  collection->readers = 1;
  in_flight_ = collection;
  ++collections_started_;

  const ScrapeContext context{deadline - CollectorSlack(deadline - now)};
  for (size_t index = 0; index < slots_.size(); ++index) {
    running_threads_->fetch_add(1);
    // Detached: a collector that overruns the deadline must not hold the scrape. It keeps its
    // slot and collection alive through the shared pointers.
    std::thread([collection, context, slot = slots_[index], index, running = running_threads_] {
      Outcome outcome;
      const auto started = Clock::now();
      if (slot->busy.exchange(true)) {
        outcome.result.errors.push_back(
            {.phase = "busy", .detail = "the previous collection of this target is still running"});
        outcome.result.families = slot->collector.MissedVerdicts();
      } else {
        outcome.result = slot->collector.Collect(context);
        slot->busy = false;
      }
      const auto ended = Clock::now();
      outcome.seconds = SecondsBetween(started, ended);
      // A result that comes after the deadline has already been reported as a timeout.
      if (ended <= collection->deadline) RecordState(*slot, outcome.result.ErrorLine());
      {
        std::lock_guard collection_lock(collection->mutex);
        collection->outcomes[index] = std::move(outcome);
        --collection->pending;
      }
      collection->finished.notify_all();
      running->fetch_sub(1);
    }).detach();
  }
  return collection;
}

std::string Scraper::Scrape(Clock::time_point deadline) {
  ++scrapes_;
  MetricSet metrics;
  std::vector<std::pair<size_t, Outcome>> results;
  std::vector<size_t> missing;
  Clock::time_point started;
  Clock::time_point collection_deadline;
  if (!stopping_) {
    auto collection = Join(deadline);
    std::unique_lock lock(collection->mutex);
    started = collection->started;
    collection_deadline = collection->deadline;
    collection->finished.wait_until(lock, std::min(deadline, collection->deadline),
                                    [&] { return collection->pending == 0 || stopping_.load(); });
    // The last scrape to read a finished collection takes its outcomes instead of copying
    // them: with thousands of RabbitMQ queues a copy doubles the exporter's memory.
    const bool last_reader = --collection->readers == 0 && collection->pending == 0;
    for (size_t index = 0; index < slots_.size(); ++index) {
      if (collection->outcomes[index]) {
        if (last_reader) {
          results.emplace_back(index, std::move(*collection->outcomes[index]));
          collection->outcomes[index].reset();
        } else {
          results.emplace_back(index, *collection->outcomes[index]);
        }
      } else {
        missing.push_back(index);
        const bool collection_expired = Clock::now() >= collection->deadline;
        if (collection_expired && !collection->timeout_logged[index]) {
          collection->timeout_logged[index] = true;
          lock.unlock();
          RecordState(*slots_[index],
                      "no answer within the scrape deadline of " +
                          std::to_string(SecondsBetween(started, collection_deadline)) + "s");
          lock.lock();
        }
      }
    }
  }

  MetricSet self;
  const auto now = Clock::now();
  for (auto& [index, outcome] : results) {
    const TargetCollector& collector = slots_[index]->collector;
    const Labels labels = {{"collector", collector.kind}, {"target", collector.target}};
    self.Gauge("onlyoffice_exporter_collector_success",
               "1 when the collector's last collection succeeded, 0 when it failed.",
               outcome.result.Ok() ? 1.0 : 0.0, labels);
    self.Gauge("onlyoffice_exporter_collector_duration_seconds",
               "Seconds the collector's last collection took.", outcome.seconds, labels);
    metrics.Merge(std::move(outcome.result.families));
  }
  for (const size_t index : missing) {
    const TargetCollector& collector = slots_[index]->collector;
    metrics.Merge(collector.MissedVerdicts());
    const Labels labels = {{"collector", collector.kind}, {"target", collector.target}};
    self.Gauge("onlyoffice_exporter_collector_success",
               "1 when the collector's last collection succeeded, 0 when it failed.", 0.0, labels);
    self.Gauge("onlyoffice_exporter_collector_duration_seconds",
               "Seconds the collector's last collection took.", SecondsBetween(started, now),
               labels);
  }
  self.Counter("onlyoffice_exporter_scrapes_total", "Scrapes of the metrics endpoint served.",
               static_cast<double>(scrapes_.load()));
  self.Counter("onlyoffice_exporter_collections_total",
               "Collections run against the backends; concurrent scrapes share one.",
               static_cast<double>(collections_started_.load()));
  AddBuildInfo(self);
  AddProcessMetrics(self);
  metrics.Merge(self.Take());
  return SerializeText(metrics.Take());
}

void Scraper::Shutdown(std::chrono::milliseconds grace) {
  stopping_ = true;
  {
    std::lock_guard lock(mutex_);
    if (in_flight_) {
      std::lock_guard collection_lock(in_flight_->mutex);
      in_flight_->finished.notify_all();
    }
  }
  const auto until = Clock::now() + grace;
  while (running_threads_->load() > 0 && Clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::chrono::milliseconds CollectorSlack(Clock::duration budget) {
  using std::chrono::milliseconds;
  const auto tenth = std::chrono::duration_cast<milliseconds>(budget / 10);
  const auto slack = std::clamp(tenth, milliseconds(100), milliseconds(500));
  // A budget too small for the slack still leaves the collectors most of it.
  return std::min(slack, std::chrono::duration_cast<milliseconds>(budget / 4));
}

Clock::time_point ScrapeDeadline(const char* timeout_header, std::chrono::milliseconds offset,
                                 std::chrono::milliseconds fallback, Clock::time_point now) {
  if (timeout_header != nullptr) {
    const std::string_view text(timeout_header);
    double seconds = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (error == std::errc() && end == text.data() + text.size() && std::isfinite(seconds) &&
        seconds > 0 && seconds < 86'400) {
      auto budget = std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
      // A timeout shorter than the offset still leaves the collectors most of it.
      budget = budget > offset * 2 ? budget - offset : budget / 2;
      return now + budget;
    }
  }
  return now + fallback;
}

}  // namespace ooe
