// Follows one log file as `tail -F` does, at the caller's pace: from its end at start-up, then
// through rotation by rename (the old descriptor is kept and drained, since writers reopen
// late), copy-truncate (the unread rest is read from the copy where it can be found),
// truncation, deletion, and a file that appears later or is replaced (read from its start).
// Memory is bounded whatever the lines: a line longer than the limit is handed on once, cut.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/deadline.h"

namespace ooe::logs {

struct FollowerLimits {
  size_t max_line_bytes = size_t{16} << 10;  // the head of a longer line is all that is kept
  size_t chunk_bytes = size_t{64} << 10;     // read at a time, between deadline checks
};

// Totals since start-up: counters.
struct FollowerCounts {
  uint64_t bytes = 0;            // read and split into lines
  uint64_t lines = 0;            // handed on
  uint64_t cut_lines = 0;        // longer than max_line_bytes
  uint64_t rotations = 0;        // renamed, deleted or replaced
  uint64_t truncations = 0;      // shorter than what was read (copy-truncate, `> file`)
  uint64_t recovered_bytes = 0;  // the unread rest of a truncated file, read from its copy
};

struct ReadOutcome {
  bool caught_up = false;  // read to the end of the file (false: the deadline came first)
  bool mid_line = false;   // the file ends inside a line whose newline has not come yet
  std::string error;       // why the file cannot be read (not "it does not exist yet")
};

class Follower {
 public:
  // A line without its newline; `cut` when it was longer than max_line_bytes.
  using LineHandler = std::function<void(std::string_view line, bool cut)>;

  // Opens `path` at its end if it exists: lines written from now on are followed.
  explicit Follower(std::filesystem::path path, FollowerLimits limits = {});
  ~Follower();
  Follower(const Follower&) = delete;
  Follower& operator=(const Follower&) = delete;

  // Hands on every line appended since the last call, until caught up or `deadline`; what is
  // left is read by the next call.
  ReadOutcome Read(Clock::time_point deadline, const LineHandler& on_line);

  bool IsOpen() const { return current_.fd >= 0; }
  const FollowerCounts& Counts() const { return counts_; }
  // Bytes of the current file not read yet when the last Read ended.
  uint64_t Backlog() const { return backlog_; }
  const std::filesystem::path& Path() const { return path_; }

 private:
  // One open file: where reading stands and the line it is inside of.
  struct OpenFile {
    int fd = -1;
    dev_t device = 0;
    ino_t inode = 0;
    uint64_t offset = 0;
    std::string partial{};  // the start of a line whose newline has not come yet
    bool skipping = false;  // inside a cut line: bytes up to its newline are dropped
    // The bytes just before `offset` and the file's first bytes: together they tell a file
    // truncated and written past `offset` again apart, even one whose lines end alike.
    std::string last_bytes{};
    std::string first_bytes{};
  };

  bool OpenCurrent(bool from_start, std::string& error);
  // Reads `file` from its offset to its end; false when the deadline came first.
  bool Drain(OpenFile& file, Clock::time_point deadline, const LineHandler& on_line);
  void Split(OpenFile& file, std::string_view data, const LineHandler& on_line);
  void Deliver(std::string_view line, bool cut, const LineHandler& on_line);
  // Hands on the line `file` ends inside of, if any: its writer will not finish it.
  void Flush(OpenFile& file, const LineHandler& on_line);
  void Close(OpenFile& file);
  bool Truncated(const OpenFile& file, uint64_t size) const;
  // After copy-truncate: the copy holds what was written after our offset; reads it.
  void RecoverFromCopy(OpenFile& file, Clock::time_point deadline, const LineHandler& on_line);
  void RetireOld(Clock::time_point deadline, const LineHandler& on_line);

  std::filesystem::path path_;
  FollowerLimits limits_;
  OpenFile current_;
  std::optional<OpenFile> retired_;  // a rotated file whose writer may not have reopened yet
  int retired_reads_ = 0;
  std::vector<char> buffer_;
  FollowerCounts counts_;
  uint64_t backlog_ = 0;
};

}  // namespace ooe::logs
