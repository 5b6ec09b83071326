// Runs every collector concurrently under one deadline, and lets concurrent scrapes share one
// in-flight collection instead of multiplying the load on the backends.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "collectors/collector.h"

namespace ooe {

class Scraper {
 public:
  explicit Scraper(std::vector<TargetCollector> collectors);
  ~Scraper();

  // The exposition text of one scrape: every collector's metrics plus the exporter's own
  // (build info, per-collector success and duration, process). A collector that misses
  // `deadline` reports success 0 and its verdict series at 0 (redis_up 0: the alerts are written
  // on them). Joins a collection already in flight when there is one.
  std::string Scrape(Clock::time_point deadline);

  // Wakes every waiting scrape (they answer at once) and refuses new ones; waits up to
  // `grace` for collector threads still running.
  void Shutdown(std::chrono::milliseconds grace);

  // How many collections ran (each visit to the backends), for tests and self metrics.
  uint64_t CollectionsStarted() const { return collections_started_.load(); }

  struct Slot;
  struct Collection;

 private:
  std::shared_ptr<Collection> Join(Clock::time_point deadline);

  std::vector<std::shared_ptr<Slot>> slots_;
  std::mutex mutex_;
  std::shared_ptr<Collection> in_flight_;
  std::atomic<uint64_t> collections_started_{0};
  std::atomic<uint64_t> scrapes_{0};
  std::shared_ptr<std::atomic<int>> running_threads_;
  std::atomic<bool> stopping_{false};
};

// The deadline of a scrape that arrives now: Prometheus' timeout header minus `offset`, or
// `fallback` when the header is absent or malformed.
Clock::time_point ScrapeDeadline(const char* timeout_header, std::chrono::milliseconds offset,
                                 std::chrono::milliseconds fallback, Clock::time_point now);

// What collectors get of a collection's `budget`: a little less, so that a backend that hangs
// is reported by its own collector's timeout (redis_up 0 and why) before the scrape must
// answer; a thread woken late on a loaded machine still makes it.
std::chrono::milliseconds CollectorSlack(Clock::duration budget);

}  // namespace ooe
