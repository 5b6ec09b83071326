// The scrape orchestrator (exporter/scrape.h) with collectors of the test's own: the deadline, a
// collector that never returns, one that throws, concurrent scrapes sharing one collection, and
// the deadline taken from Prometheus' header.
#include "exporter/scrape.h"

#include <catch2/catch.hpp>
#include <condition_variable>
#include <future>
#include <mutex>

#include "tests/support/scrape.h"

namespace ooe {
namespace {

using std::chrono::milliseconds;
using test::FindValue;

// A collector whose Collect() does what the test says: answer at once, wait to be released,
// or throw. It counts its calls.
class FakeCollector final : public Collector {
 public:
  enum class Behaviour { kAnswer, kBlock, kThrow };
  explicit FakeCollector(Behaviour behaviour, milliseconds delay = milliseconds(0))
      : behaviour_(behaviour), delay_(delay) {}
  ~FakeCollector() override { Release(); }

  std::vector<Error> Collect(const ScrapeContext&, MetricSet& metrics) override {
    ++calls_;
    if (delay_.count() > 0) std::this_thread::sleep_for(delay_);
    if (behaviour_ == Behaviour::kBlock) {
      std::unique_lock lock(mutex_);
      released_.wait(lock, [this] { return release_; });
    }
    metrics.Gauge("fake_up", "Verdict.", 1, {{"side", "a"}});
    metrics.Gauge("fake_value", "A value.", 42);
    if (behaviour_ == Behaviour::kThrow) throw std::runtime_error("broken parser");
    return {};
  }
  const std::vector<VerdictSeries>& Verdicts() const override { return verdicts_; }
  std::string Describe() const override { return "fake"; }

  void Release() {
    {
      std::lock_guard lock(mutex_);
      release_ = true;
    }
    released_.notify_all();
  }
  int Calls() const { return calls_.load(); }

 private:
  Behaviour behaviour_;
  milliseconds delay_;
  std::vector<VerdictSeries> verdicts_ = {{"fake_up", "Verdict.", {{"side", "a"}}}};
  std::atomic<int> calls_{0};
  std::mutex mutex_;
  std::condition_variable released_;
  bool release_ = false;
};

TargetCollector Target(const std::string& kind, std::shared_ptr<FakeCollector> collector) {
  return TargetCollector{kind, kind + "-target", std::move(collector)};
}

std::optional<double> Success(const std::vector<test::Sample>& samples, const std::string& kind) {
  return FindValue(samples, "onlyoffice_exporter_collector_success", {{"collector", kind}});
}

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

TEST_CASE("scrape: a collector that never returns gives success 0 and its verdict at 0 in time") {
  auto stuck = std::make_shared<FakeCollector>(FakeCollector::Behaviour::kBlock);
  auto fine = std::make_shared<FakeCollector>(FakeCollector::Behaviour::kAnswer);
  Scraper scraper({Target("stuck", stuck), Target("fine", fine)});
  const auto start = Clock::now();
  const auto samples = test::ParseExposition(scraper.Scrape(start + milliseconds(300)));
  CHECK(SecondsSince(start) < 0.6);
  CHECK(Success(samples, "stuck") == 0);
  CHECK(Success(samples, "fine") == 1);
  CHECK(FindValue(samples, "fake_up", {{"target", "stuck-target"}, {"side", "a"}}) == 0);
  CHECK(FindValue(samples, "fake_value", {{"target", "stuck-target"}}) == std::nullopt);
  CHECK(FindValue(samples, "fake_up", {{"target", "fine-target"}}) == 1);
  CHECK(FindValue(samples, "fake_value", {{"target", "fine-target"}}) == 42);
  // A verdict the collector gave is there once, not again at 0 (the other series are kept as
  // text, the verdicts are looked up).
  CHECK(test::CountSamples(samples, "fake_up") == 2);

  // Still stuck at the next scrape: not started twice, and its verdict is there again at 0.
  const auto again = test::ParseExposition(scraper.Scrape(Clock::now() + milliseconds(200)));
  CHECK(stuck->Calls() == 1);
  CHECK(fine->Calls() == 2);
  CHECK(Success(again, "stuck") == 0);
  CHECK(FindValue(again, "fake_up", {{"target", "stuck-target"}}) == 0);
  stuck->Release();
  scraper.Shutdown(milliseconds(1000));
}

TEST_CASE("scrape: a collector that throws reports success 0, its verdict at 0, nothing else") {
  auto broken = std::make_shared<FakeCollector>(FakeCollector::Behaviour::kThrow);
  Scraper scraper({Target("broken", broken)});
  const auto samples = test::ParseExposition(scraper.Scrape(Clock::now() + milliseconds(2000)));
  CHECK(Success(samples, "broken") == 0);
  CHECK(FindValue(samples, "fake_up", {{"target", "broken-target"}}) == 0);
  // What it added before it threw may be half a reading.
  CHECK(FindValue(samples, "fake_value") == std::nullopt);
}

TEST_CASE("scrape: concurrent scrapes share one in-flight collection, each gets all of it") {
  auto slow = std::make_shared<FakeCollector>(FakeCollector::Behaviour::kAnswer, milliseconds(200));
  Scraper scraper({Target("slow", slow)});
  std::vector<std::future<std::string>> scrapes;
  for (int i = 0; i < 4; ++i) {
    scrapes.push_back(std::async(std::launch::async, [&scraper] {
      return scraper.Scrape(Clock::now() + milliseconds(2000));
    }));
    std::this_thread::sleep_for(milliseconds(20));
  }
  for (auto& scrape : scrapes) {
    const auto samples = test::ParseExposition(scrape.get());
    CHECK(FindValue(samples, "fake_value", {{"target", "slow-target"}}) == 42);
    CHECK(Success(samples, "slow") == 1);
  }
  CHECK(slow->Calls() == 1);
  CHECK(scraper.CollectionsStarted() == 1);
  // Once it is over, the next scrape collects again (and the last reader took the outcomes
  // without breaking the next collection).
  const auto next = test::ParseExposition(scraper.Scrape(Clock::now() + milliseconds(2000)));
  CHECK(FindValue(next, "fake_value", {{"target", "slow-target"}}) == 42);
  CHECK(slow->Calls() == 2);
  CHECK(FindValue(next, "onlyoffice_exporter_scrapes_total") == 5);
  CHECK(FindValue(next, "onlyoffice_exporter_collections_total") == 2);
}

TEST_CASE("scrape: shutdown answers a waiting scrape at once") {
  auto stuck = std::make_shared<FakeCollector>(FakeCollector::Behaviour::kBlock);
  Scraper scraper({Target("stuck", stuck)});
  auto scrape = std::async(std::launch::async, [&scraper] {
    return scraper.Scrape(Clock::now() + std::chrono::hours(1));
  });
  std::this_thread::sleep_for(milliseconds(100));
  const auto start = Clock::now();
  scraper.Shutdown(milliseconds(0));
  REQUIRE(scrape.wait_for(std::chrono::seconds(2)) == std::future_status::ready);
  CHECK(SecondsSince(start) < 1.0);
  CHECK(Success(test::ParseExposition(scrape.get()), "stuck") == 0);
  stuck->Release();
  scraper.Shutdown(milliseconds(1000));
}

TEST_CASE("scrape deadline: Prometheus' header minus the offset, else the fallback") {
  const auto now = Clock::now();
  const milliseconds offset(500);
  const milliseconds fallback(10'000);
  const auto in = [&](const char* header) {
    return std::chrono::duration_cast<milliseconds>(ScrapeDeadline(header, offset, fallback, now) -
                                                    now)
        .count();
  };
  CHECK(in("10") == 9500);
  CHECK(in("2.5") == 2000);
  CHECK(in(nullptr) == 10'000);
  for (const char* bad : {"", "abc", "-3", "0", "nan", "inf", "1e9", "10s", " 10"}) {
    INFO(bad);
    CHECK(in(bad) == 10'000);
  }
  // Shorter than twice the offset: half of it, not nothing.
  CHECK(in("0.6") == 300);
}

TEST_CASE("collector slack: a tenth of the budget, from 100 ms to 500 ms, never most of it") {
  using std::chrono::seconds;
  CHECK(CollectorSlack(seconds(2)) == milliseconds(200));
  CHECK(CollectorSlack(milliseconds(1500)) == milliseconds(150));
  CHECK(CollectorSlack(seconds(30)) == milliseconds(500));
  CHECK(CollectorSlack(milliseconds(600)) == milliseconds(100));
  CHECK(CollectorSlack(milliseconds(200)) == milliseconds(50));
}

}  // namespace ooe
