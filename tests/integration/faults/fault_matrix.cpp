#include "tests/integration/faults/fault_matrix.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <future>
#include <thread>

#include "tests/support/collect.h"
#include "tests/support/scrape.h"
#include "tests/support/silent_peer.h"

namespace ooe::faults {
namespace {

using test::FindValue;

struct Cell {
  std::string kind;
  std::string fault;
  std::string how;  // what produced the fault, for the printed matrix
  double seconds = 0;
  std::string error{};
  bool passed = false;
};

std::vector<Cell>& Matrix() {
  static std::vector<Cell> matrix;
  return matrix;
}

// The err="..." of the exporter's last `collector failed` line for `kind`; empty when none.
std::string LoggedError(const std::string& log, const std::string& kind) {
  const std::string marker = "msg=\"collector failed\" collector=" + kind + " ";
  const auto line_start = log.rfind(marker);
  if (line_start == std::string::npos) return "";
  const auto line_end = log.find('\n', line_start);
  const std::string line = log.substr(line_start, line_end - line_start);
  const auto at = line.find("err=\"");
  if (at == std::string::npos) return "";
  std::string error;
  for (size_t i = at + 5; i < line.size() && line[i] != '"'; ++i) {
    if (line[i] == '\\' && i + 1 < line.size()) ++i;
    error.push_back(line[i]);
  }
  return error;
}

// The faulty target's verdict series must be in the scrape, at the fault's value: the alerts are
// written on them (RedisDown is redis_up == 0).
void CheckVerdicts(const std::string& kind, const std::string& target, const Fault& fault,
                   const std::vector<test::Sample>& samples,
                   const std::function<void(bool, const std::string&)>& check) {
  setenv("FAULT_PASSWORD", "wrong-password", 1);  // as the exporter has it, for the secrets
  const auto collector = test::MakeTarget(kind, target);
  check(!collector.collector->Verdicts().empty(), kind + " has no verdict series");
  for (const auto& verdict : collector.collector->Verdicts()) {
    std::map<std::string, std::string> labels(verdict.labels.begin(), verdict.labels.end());
    labels["target"] = collector.target;
    const auto value = FindValue(samples, verdict.name, labels);
    check(value == fault.verdict, verdict.name + " is " +
                                      (value ? std::to_string(*value) : "missing") + ", expected " +
                                      std::to_string(fault.verdict));
  }
}

void CheckLog(const std::string& kind, const Fault& fault, Cell& cell,
              test::ExporterProcess& exporter,
              const std::function<void(bool, const std::string&)>& check) {
  // The error is logged by the time the scrape answers; give the log a moment to reach disk.
  for (int i = 0; i < 50 && cell.error.empty(); ++i) {
    cell.error = LoggedError(exporter.Log(), kind);
    if (cell.error.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  check(!cell.error.empty(),
        "no 'collector failed' line for " + kind + " in the log:\n" + exporter.Log());
  // A backend that hangs is reported by its collector's own timeout, inside the deadline.
  check(cell.error.find("no answer within the scrape deadline") == std::string::npos,
        "the collector missed the deadline: " + cell.error);
  for (const auto& word : fault.words) {
    check(cell.error.find(word) != std::string::npos,
          "the error '" + cell.error + "' does not say '" + word + "'");
  }
  for (const auto& each : kKinds) {
    if (each != kind) {
      check(LoggedError(exporter.Log(), each).empty(),
            "healthy " + each + " logged a failure: " + LoggedError(exporter.Log(), each));
    }
  }
}

void CheckScrape(const std::string& kind, const test::HttpResult& scrape, const Cell& cell,
                 const std::function<void(bool, const std::string&)>& check) {
  check(scrape.status == 200,
        "/metrics answered " + std::to_string(scrape.status) + " " + scrape.error);
  check(cell.seconds < kDeadlineSeconds + 1.0,
        "/metrics took " + std::to_string(cell.seconds) + " s");
  const auto samples = test::ParseExposition(scrape.body);
  for (const auto& each : kKinds) {
    const auto success =
        FindValue(samples, "onlyoffice_exporter_collector_success", {{"collector", each}});
    const double expected = each == kind ? 0 : 1;
    check(success == expected, each + " success is " +
                                   (success ? std::to_string(*success) : "missing") +
                                   ", expected " + std::to_string(expected));
  }
}

// Runs one cell; returns its index in Matrix() and the exporter's stop (status, log).
std::pair<size_t, std::future<std::pair<int, std::string>>> RunCell(const std::string& kind,
                                                                    const Fault& fault) {
  std::future<std::pair<int, std::string>> stopping;
  INFO("cell: " << kind << " x " << fault.fault << " (" << fault.how << ")");
  Cell cell{.kind = kind, .fault = fault.fault, .how = fault.how};
  bool ok = true;
  const auto check = [&](bool condition, const std::string& what) {
    if (!condition) {
      ok = false;
      FAIL_CHECK(kind << " x " << fault.fault << ": " << what);
    }
  };
  try {
    test::TempDir dir;
    std::vector<std::shared_ptr<void>> keep;
    std::string config = "collectors:\n";
    std::string faulty_target;
    for (const auto& each : kKinds) {
      const std::string target = each == kind ? fault.target(keep, dir) : Healthy().Target(each);
      if (each == kind) faulty_target = target;
      config += "  " + each + ":\n    targets:\n      - " + target + "\n";
    }
    test::WriteFile(dir / "config.yml", config);
    auto exporter = std::make_unique<test::ExporterProcess>(
        std::vector<std::string>{"--config.file=" + (dir / "config.yml").string()},
        std::vector<std::string>{"FAULT_PASSWORD=wrong-password"});
    const auto started = Clock::now();
    const auto scrape = exporter->Get("/metrics", {"X-Prometheus-Scrape-Timeout-Seconds: " +
                                                   std::to_string(kScrapeTimeoutSeconds)});
    cell.seconds = std::chrono::duration<double>(Clock::now() - started).count();
    CheckScrape(kind, scrape, cell, check);
    CheckVerdicts(kind, faulty_target, fault, test::ParseExposition(scrape.body), check);
    CheckLog(kind, fault, cell, *exporter, check);
    check(exporter->GetProcess().Running(), "the exporter died:\n" + exporter->Log());
    // Stopping takes the exporter about 1 s: the next cells run meanwhile.
    stopping = std::async(std::launch::async, [exporter = std::move(exporter)] {
      const int status = exporter->GetProcess().Stop();
      return std::make_pair(status, exporter->Log());
    });
  } catch (const std::exception& error) {
    check(false, std::string("exception: ") + error.what());
  }
  cell.passed = ok;
  Matrix().push_back(std::move(cell));
  return {Matrix().size() - 1, std::move(stopping)};
}

}  // namespace

std::string Local(int port) { return "127.0.0.1:" + std::to_string(port); }

std::string RespBulk(const std::string& text) {
  return "$" + std::to_string(text.size()) + "\r\n" + text + "\r\n";
}

std::string Fixture(const std::string& path) {
  return test::ReadFile(std::string(OOE_SOURCE_DIR) + "/tests/fixtures/" + path);
}

std::string SharedFixture(const std::string& path) {
  return test::ReadFile(std::string(OOE_SHARED_FIXTURES_DIR) + "/" + path);
}

std::string Oversized(size_t size) {
  std::string body = "{\"padding\":\"";
  body.append(size, 'x');
  return body + "\"}";
}

std::string RefusedPort() { return Local(test::FreePort()); }

std::string HealthyStack::Target(const std::string& kind) const {
  if (kind == "redis") return "{name: redis, address: " + redis.Address() + "}";
  if (kind == "rabbitmq") return "{name: rabbitmq, url: " + rabbitmq.ManagementUrl() + "}";
  if (kind == "docker") return "{name: docker, host: '" + engine.Host() + "'}";
  if (kind == "nginx") return "{name: nginx, status_url: '" + nginx.Url() + "/stub_status'}";
  if (kind == "postgres") return "{name: postgres, dsn: '" + postgres.Dsn() + "'}";
  return "{name: documentserver, url: " + nginx.Url() + ", docservice_url: " + standin.Url() + "}";
}

HealthyStack& Healthy() {
  static HealthyStack stack;
  return stack;
}

Fault PeerFault(std::string fault, std::string how, test::PeerBehaviour behaviour,
                std::function<std::string(const std::string& url)> target,
                std::vector<std::string> words) {
  return {std::move(fault), std::move(how),
          [behaviour = std::move(behaviour), target = std::move(target)](
              std::vector<std::shared_ptr<void>>& keep, const test::TempDir&) {
            return target(Keep<test::MisbehavingPeer>(keep, behaviour).Url());
          },
          std::move(words)};
}

Fault SilentFault(std::function<std::string(const std::string& url)> target,
                  std::vector<std::string> words) {
  return {
      "silent", "peer accepts, never answers",
      [target = std::move(target)](std::vector<std::shared_ptr<void>>& keep, const test::TempDir&) {
        return target("http://" + Local(Keep<test::SilentPeer>(keep).Port()));
      },
      std::move(words)};
}

Fault RefusedFault(std::function<std::string(const std::string& url)> target) {
  return {"refused",
          "nothing listens on the port",
          [target = std::move(target)](std::vector<std::shared_ptr<void>>&, const test::TempDir&) {
            return target("http://" + RefusedPort());
          },
          {"Connection refused"}};
}

test::PeerBehaviour Trickle(const std::string& reply) {
  return {.reply = reply, .spread = std::chrono::seconds(reply.size())};
}

test::PeerBehaviour Cut(const std::string& reply, size_t body_bytes) {
  return {.reply = reply, .cut_after = test::HttpHeadSize(reply) + body_bytes};
}

void RunCells(const std::string& kind, const std::vector<Fault>& faults) {
  std::vector<std::pair<size_t, std::future<std::pair<int, std::string>>>> stops;
  stops.reserve(faults.size());
  for (const auto& fault : faults) stops.push_back(RunCell(kind, fault));
  for (auto& [index, stopping] : stops) {
    if (!stopping.valid()) continue;
    Cell& cell = Matrix()[index];
    const auto [status, log] = stopping.get();
    const bool clean = status == 0 && log.find("Sanitizer") == std::string::npos &&
                       log.find("runtime error") == std::string::npos;
    if (!clean) {
      cell.passed = false;
      FAIL_CHECK(cell.kind << " x " << cell.fault << ": the exporter exited with " << status
                           << ":\n"
                           << log);
    }
  }
}

std::pair<size_t, size_t> PrintMatrix() {
  std::printf(
      "\nFault matrix: /metrics with X-Prometheus-Scrape-Timeout-Seconds: %.1f (deadline "
      "%.1f s, bound %.1f s)\n",
      kScrapeTimeoutSeconds, kDeadlineSeconds, kDeadlineSeconds + 1.0);
  std::printf("%-15s %-18s %-6s %-4s %-44s %s\n", "collector", "fault", "secs", "ok",
              "fault source", "error (as logged)");
  size_t failed = 0;
  for (const auto& cell : Matrix()) {
    std::printf("%-15s %-18s %-6.2f %-4s %-44s %s\n", cell.kind.c_str(), cell.fault.c_str(),
                cell.seconds, cell.passed ? "ok" : "FAIL", cell.how.c_str(), cell.error.c_str());
    if (!cell.passed) ++failed;
  }
  std::fflush(stdout);
  return {Matrix().size(), failed};
}

}  // namespace ooe::faults
