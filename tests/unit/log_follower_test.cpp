// The log follower on real files: tail -F's semantics (from the end at start-up, rotation by
// rename and by copy-truncate, truncation, a file deleted and recreated or appearing later), a
// line of any length in bounded memory, the deadline, and counts that stay exact while a writer
// keeps writing through rotations of both kinds.
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "collectors/documentserver/log_watch.h"
#include "collectors/logs/follower.h"
#include "tests/support/collect.h"
#include "tests/support/process.h"

namespace ooe {
namespace {

namespace fs = std::filesystem;
using logs::Follower;

void Append(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::app | std::ios::binary);
  out << text;
}

// Every line one Read hands on.
std::vector<std::string> ReadLines(Follower& follower, logs::ReadOutcome* outcome = nullptr) {
  std::vector<std::string> lines;
  const auto result = follower.Read(Clock::now() + std::chrono::seconds(10),
                                    [&](std::string_view line, bool) { lines.emplace_back(line); });
  if (outcome) *outcome = result;
  return lines;
}

using Lines = std::vector<std::string>;

long ResidentKiB() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with("VmRSS:")) return std::stol(line.substr(6));
  }
  return 0;
}

}  // namespace

TEST_CASE("follower: starts at the end; a line written in parts is handed on once it ends") {
  test::TempDir dir;
  const auto path = dir / "out.log";
  Append(path, "before start-up\n");
  Follower follower(path);
  CHECK(follower.IsOpen());
  CHECK(ReadLines(follower).empty());
  Append(path, "one\ntw");
  logs::ReadOutcome outcome;
  CHECK(ReadLines(follower, &outcome) == Lines{"one"});
  CHECK(outcome.caught_up);
  CHECK(outcome.mid_line);
  Append(path, "o\r\nthree\n");
  CHECK(ReadLines(follower, &outcome) == Lines{"two", "three"});
  CHECK_FALSE(outcome.mid_line);
  CHECK(follower.Counts().lines == 3);
}

TEST_CASE("follower: a file that appears later is read from its start") {
  test::TempDir dir;
  const auto path = dir / "docservice" / "out.log";
  Follower follower(path);
  CHECK_FALSE(follower.IsOpen());
  CHECK(ReadLines(follower).empty());
  fs::create_directories(path.parent_path());
  Append(path, "first\nsecond\n");
  CHECK(ReadLines(follower) == Lines{"first", "second"});
  CHECK(follower.IsOpen());
}

TEST_CASE("follower: rotation by rename drains the old file, late writes included, then the new") {
  test::TempDir dir;
  const auto path = dir / "nginx.error.log";
  Append(path, "");
  Follower follower(path);
  const int writer = open(path.c_str(), O_WRONLY | O_APPEND);
  REQUIRE(writer >= 0);
  const auto write_line = [&](const std::string& line) {
    const std::string text = line + "\n";
    REQUIRE(write(writer, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
  };
  write_line("a");
  CHECK(ReadLines(follower) == Lines{"a"});
  write_line("b");
  fs::rename(path, dir / "nginx.error.log.1");
  write_line("c");  // the writer has not reopened yet (nginx before its USR1)
  Append(path, "d\n");
  CHECK(ReadLines(follower) == Lines{"b", "c", "d"});
  write_line("e");  // still late: read from the descriptor kept
  Append(path, "f\n");
  CHECK(ReadLines(follower) == Lines{"e", "f"});
  CHECK(ReadLines(follower).empty());
  CHECK(ReadLines(follower).empty());
  CHECK(follower.Counts().rotations == 1);
  CHECK(follower.Counts().lines == 6);
  close(writer);
}

TEST_CASE("follower: copy-truncate reads the unread rest from the copy; nothing twice") {
  test::TempDir dir;
  const auto path = dir / "out.log";
  Append(path, "");
  Follower follower(path);
  Append(path, "one\n");
  CHECK(ReadLines(follower) == Lines{"one"});
  Append(path, "two\nthree\n");
  fs::copy_file(path, dir / "out.log.1");  // logrotate's copytruncate: copy, then truncate
  fs::resize_file(path, 0);
  Append(path, "four\n");
  CHECK(ReadLines(follower) == Lines{"two", "three", "four"});
  CHECK(follower.Counts().truncations == 1);
  CHECK(follower.Counts().recovered_bytes == 10);
  CHECK(follower.Counts().rotations == 0);
}

TEST_CASE("follower: truncation without a copy, and a file rewritten past where reading was") {
  test::TempDir dir;
  const auto path = dir / "out.log";
  Append(path, "");
  Follower follower(path);
  Append(path, "short\n");
  CHECK(ReadLines(follower) == Lines{"short"});
  Append(path, "lost\n");
  fs::resize_file(path, 0);  // `> out.log`: what was not read is gone
  Append(path, "after\n");
  CHECK(ReadLines(follower) == Lines{"after"});
  // Truncated and written past the old offset before the next read: the bytes before the offset
  // changed, so it is read again from its start.
  fs::resize_file(path, 0);
  Append(path, "a longer line than before\n");
  CHECK(ReadLines(follower) == Lines{"a longer line than before"});
  CHECK(follower.Counts().truncations == 2);
}

TEST_CASE("follower: truncated and rewritten past the offset with lines that end alike") {
  // nginx's lines end with the same upstream and host fields, and are mostly of one length:
  // the bytes just before the offset can match after a rewrite; the first ones do not.
  test::TempDir dir;
  const auto path = dir / "nginx.error.log";
  Append(path, "");
  Follower follower(path);
  const auto lines = [](int from, int count) {
    std::string text;
    for (int i = from; i < from + count; ++i) {
      char id[16];
      std::snprintf(id, sizeof id, "*%06d", i);
      text += std::string("2026/12/01 19:16:02 [error] 1#1: ") + id +
              " connect() failed (111: Connection refused) while connecting to upstream, "
              "upstream: \"http://127.0.0.1:8000/healthcheck\", host: \"127.0.0.1:80\"\n";
    }
    return text;
  };
  Append(path, lines(0, 10));
  CHECK(ReadLines(follower).size() == 10);
  fs::resize_file(path, 0);
  Append(path, lines(10, 30));  // past the old offset before the next read
  const auto read = ReadLines(follower);
  CHECK(read.size() == 30);
  CHECK(follower.Counts().truncations == 1);
}

TEST_CASE("follower: a file deleted and recreated") {
  test::TempDir dir;
  const auto path = dir / "out.log";
  Append(path, "");
  Follower follower(path);
  Append(path, "one\n");
  CHECK(ReadLines(follower) == Lines{"one"});
  Append(path, "two\n");
  fs::remove(path);
  CHECK(ReadLines(follower) == Lines{"two"});  // from the descriptor still open
  CHECK_FALSE(follower.IsOpen());
  Append(path, "three\n");
  CHECK(ReadLines(follower) == Lines{"three"});
  CHECK(follower.IsOpen());
  CHECK(follower.Counts().rotations == 1);
}

TEST_CASE("follower: a 10 MB line is handed on once, cut, in bounded memory") {
  test::TempDir dir;
  const auto path = dir / "out.log";
  Append(path, "");
  Follower follower(path);
  {
    std::ofstream out(path, std::ios::app | std::ios::binary);
    const std::string chunk(64 << 10, 'x');
    for (int i = 0; i < 160; ++i) out << chunk;  // 10 MiB, no newline
    out << "\nafter\n";
  }
  const long before = ResidentKiB();
  std::vector<std::pair<size_t, bool>> seen;
  follower.Read(Clock::now() + std::chrono::seconds(30),
                [&](std::string_view line, bool cut) { seen.emplace_back(line.size(), cut); });
  const long grown = ResidentKiB() - before;
  REQUIRE(seen.size() == 2);
  CHECK(seen[0] == std::make_pair(logs::FollowerLimits{}.max_line_bytes, true));
  CHECK(seen[1] == std::make_pair(size_t{5}, false));
  CHECK(follower.Counts().cut_lines == 1);
  CHECK(follower.Counts().bytes == (size_t{10} << 20) + 7);
  INFO("resident memory grew by " << grown << " KiB");
  CHECK(grown < 2048);  // the line is 10,240 KiB
}

TEST_CASE("follower: the deadline stops reading; the next read goes on where it stopped") {
  test::TempDir dir;
  const auto path = dir / "out.log";
  Append(path, "");
  Follower follower(path, {.max_line_bytes = 1024, .chunk_bytes = 4096});
  std::string text;
  for (int i = 0; i < 10000; ++i) text += "line " + std::to_string(i) + "\n";
  Append(path, text);
  size_t lines = 0;
  const auto first = follower.Read(Clock::now(), [&](std::string_view, bool) { ++lines; });
  CHECK_FALSE(first.caught_up);
  CHECK(follower.Backlog() > 0);
  CHECK(lines < 10000);
  const auto second = follower.Read(Clock::now() + std::chrono::seconds(10),
                                    [&](std::string_view, bool) { ++lines; });
  CHECK(second.caught_up);
  CHECK(follower.Backlog() == 0);
  CHECK(lines == 10000);
}

TEST_CASE("follower: a writer writing through rotations of both kinds; counts stay exact") {
  test::TempDir dir;
  const auto path = dir / "nginx.error.log";
  Append(path, "");
  Follower follower(path, {.max_line_bytes = 256, .chunk_bytes = 4096});
  std::mutex mutex;  // held by the writer for each line, by the rotator for a rotation's step
  int writer = open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT, 0644);
  bool reopen = false;
  std::atomic<bool> stop{false};
  std::atomic<int> written{0};
  std::atomic<bool> failed_write{false};
  std::thread writing([&] {
    // Bounded in count and pace: about 20,000 lines a second, as a busy nginx writes.
    for (int i = 0; !stop.load() && i < 200000; ++i) {
      if (i % 100 == 99) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      const std::string line = "line " + std::to_string(i) + "\n";
      const std::lock_guard lock(mutex);
      if (reopen) {  // as nginx reopens its logs on USR1, at its next write
        close(writer);
        writer = open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT, 0644);
        reopen = false;
      }
      if (write(writer, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
        failed_write.store(true);  // Catch's assertions are not for other threads
      }
      written.store(i + 1);
    }
  });
  std::multiset<int> seen;
  const auto read = [&] {
    follower.Read(Clock::now() + std::chrono::seconds(5), [&](std::string_view line, bool) {
      seen.insert(std::stoi(std::string(line.substr(5))));
    });
  };
  std::set<int> lost;  // written between a copy and its truncation: gone from both files
  for (int round = 0; round < 6; ++round) {
    for (int i = 0; i < 20; ++i) {
      read();
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    const auto rotated = dir / ("nginx.error.log." + std::to_string(round));
    if (round % 2 == 0) {
      fs::rename(path, rotated);  // rename, then the writer reopens a while later
      std::this_thread::sleep_for(std::chrono::milliseconds(3));
      const std::lock_guard lock(mutex);
      reopen = true;
    } else {
      fs::copy_file(path, rotated);  // copy while the writer goes on, then truncate
      const std::lock_guard lock(mutex);
      const auto copied = fs::file_size(rotated);
      std::ifstream rest(path, std::ios::binary);
      rest.seekg(static_cast<std::streamoff>(copied));
      for (std::string line; std::getline(rest, line);) lost.insert(std::stoi(line.substr(5)));
      fs::resize_file(path, 0);
    }
  }
  stop.store(true);
  writing.join();
  for (int i = 0; i < 5; ++i) read();
  close(writer);
  CHECK_FALSE(failed_write.load());
  INFO(written.load() << " lines written, " << lost.size() << " lost between copy and truncate");
  CHECK(written.load() > 1000);
  size_t wrong = 0;
  for (int i = 0; i < written.load(); ++i) {
    const size_t expected = lost.count(i) ? 0 : 1;
    if (seen.count(i) != expected && ++wrong <= 5) {
      FAIL_CHECK("line " << i << " seen " << seen.count(i) << " times");
    }
  }
  CHECK(wrong == 0);
  CHECK(seen.size() + lost.size() == static_cast<size_t>(written.load()));
  CHECK(follower.Counts().rotations == 3);
  CHECK(follower.Counts().truncations == 3);
}

TEST_CASE("log watch: a stack trace written in pieces across reads is one entry, its cause kept") {
  test::TempDir dir;
  const auto path = dir / "out.log";
  Append(path, "");
  documentserver::LogWatch watch({.nginx_error = "", .docservice = path.string(), .converter = ""});
  const std::string text = test::ReadFile(std::string(OOE_SHARED_FIXTURES_DIR) +
                                          "/documentserver/logs/docservice-9.4.0-out.log");
  for (size_t at = 0; at < text.size(); at += 97) {
    Append(path, text.substr(at, 97));
    watch.Read(Clock::now() + std::chrono::seconds(5));
  }
  watch.Read(Clock::now() + std::chrono::seconds(5));
  MetricSet metrics;
  watch.AddMetrics(metrics);
  const auto exposition = SerializeText(metrics.Take());
  INFO(exposition);
  CHECK(exposition.find("onlyoffice_documentserver_log_entries_total{service=\"docservice\","
                        "level=\"warn\"} 14\n") != std::string::npos);
  CHECK(exposition.find("onlyoffice_documentserver_log_entries_total{service=\"docservice\","
                        "level=\"error\"} 5\n") != std::string::npos);
  CHECK(exposition.find("onlyoffice_documentserver_log_errors_total{service=\"docservice\","
                        "cause=\"database\"} 8\n") != std::string::npos);
}

}  // namespace ooe

namespace ooe {

TEST_CASE("log_dir and a path per file on a documentserver target") {
  const auto packaged =
      test::MakeTarget("documentserver", "{url: 'http://ds', log_dir: /var/log/onlyoffice}");
  CHECK(packaged.collector->Describe() ==
        "http://ds, logs /var/log/onlyoffice/documentserver/nginx.error.log "
        "/var/log/onlyoffice/documentserver/docservice/out.log "
        "/var/log/onlyoffice/documentserver/converter/out.log");
  // Relative to log_dir, absolute, or "" for a file not to follow; and without log_dir.
  const auto own =
      test::MakeTarget("documentserver",
                       "{url: 'http://ds', log_dir: /logs, nginx_error_log: nginx/error.log, "
                       "docservice_log: /srv/ds/out.log, converter_log: ''}");
  CHECK(own.collector->Describe() == "http://ds, logs /logs/nginx/error.log /srv/ds/out.log");
  const auto one =
      test::MakeTarget("documentserver", "{url: 'http://ds', nginx_error_log: /e.log}");
  CHECK(one.collector->Describe() == "http://ds, logs /e.log");
  // Without any, no log is followed and the verdicts are the probes' own.
  const auto none = test::MakeTarget("documentserver", "{url: 'http://ds'}");
  CHECK(none.collector->Describe() == "http://ds");
  CHECK(packaged.collector->Verdicts().size() == none.collector->Verdicts().size());
  CHECK_THROWS_WITH(test::MakeTarget("documentserver", "{url: 'http://ds', log_directory: /x}"),
                    Catch::Contains("log_directory"));
}

}  // namespace ooe
