#include "collectors/logs/follower.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace ooe::logs {
namespace {

// Enough bytes to span several lines: nginx's lines end alike (the same upstream and host
// fields), their connection numbers and times do not.
constexpr size_t kFingerprintBytes = 1024;
// The newest siblings looked at for the copy after copy-truncate.
constexpr size_t kCopyCandidates = 4;

bool IsCompressed(std::string_view name) {
  for (const std::string_view suffix : {".gz", ".xz", ".bz2", ".zst", ".lz4", ".Z"}) {
    if (name.ends_with(suffix)) return true;
  }
  return false;
}

// `size` bytes at `offset`, or fewer where the file ends.
std::string ReadAt(int fd, uint64_t offset, size_t size) {
  std::string bytes(size, '\0');
  size_t got = 0;
  while (got < size) {
    const ssize_t n = pread(fd, bytes.data() + got, size - got, static_cast<off_t>(offset + got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  bytes.resize(got);
  return bytes;
}

}  // namespace

Follower::Follower(std::filesystem::path path, FollowerLimits limits)
    : path_(std::move(path)), limits_(limits), buffer_(std::max<size_t>(limits.chunk_bytes, 1)) {
  limits_.max_line_bytes = std::max<size_t>(limits_.max_line_bytes, 1);
  std::string ignored;  // a file that is missing now is followed from its start when it appears
  OpenCurrent(/*from_start=*/false, ignored);
}

Follower::~Follower() {
  Close(current_);
  if (retired_) Close(*retired_);
}

bool Follower::OpenCurrent(bool from_start, std::string& error) {
  const int fd = open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    if (errno != ENOENT && errno != ENOTDIR) error = std::strerror(errno);
    return false;
  }
  struct stat status {};
  if (fstat(fd, &status) != 0 || !S_ISREG(status.st_mode)) {
    close(fd);
    error = "not a regular file";
    return false;
  }
  current_ = OpenFile{.fd = fd, .device = status.st_dev, .inode = status.st_ino};
  if (!from_start) {
    current_.offset = static_cast<uint64_t>(status.st_size);
    const size_t fingerprint = std::min<uint64_t>(current_.offset, kFingerprintBytes);
    current_.last_bytes = ReadAt(fd, current_.offset - fingerprint, fingerprint);
    current_.first_bytes = ReadAt(fd, 0, fingerprint);
  }
  return true;
}

void Follower::Close(OpenFile& file) {
  if (file.fd >= 0) close(file.fd);
  file = OpenFile{};
}

void Follower::Deliver(std::string_view line, bool cut, const LineHandler& on_line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  ++counts_.lines;
  if (cut) ++counts_.cut_lines;
  on_line(line, cut);
}

void Follower::Split(OpenFile& file, std::string_view data, const LineHandler& on_line) {
  const size_t max = limits_.max_line_bytes;
  while (!data.empty()) {
    const size_t newline = data.find('\n');
    const bool ends = newline != std::string_view::npos;
    const std::string_view piece = data.substr(0, newline);
    if (file.skipping) {
      file.skipping = !ends;
    } else if (file.partial.empty() && ends && piece.size() <= max) {
      Deliver(piece, false, on_line);
    } else {
      const size_t room = max - file.partial.size();
      if (piece.size() > room) {
        // Handed on once, now: the rest of the line costs nothing but reading it.
        file.partial.append(piece.substr(0, room));
        Deliver(file.partial, true, on_line);
        file.partial.clear();
        file.skipping = !ends;
      } else {
        file.partial.append(piece);
        if (ends) {
          Deliver(file.partial, false, on_line);
          file.partial.clear();
        }
      }
    }
    if (!ends) break;
    data.remove_prefix(newline + 1);
  }
}

void Follower::Flush(OpenFile& file, const LineHandler& on_line) {
  if (!file.partial.empty()) Deliver(file.partial, false, on_line);
  file.partial.clear();
  file.skipping = false;
}

bool Follower::Drain(OpenFile& file, Clock::time_point deadline, const LineHandler& on_line) {
  while (true) {
    const ssize_t n =
        pread(file.fd, buffer_.data(), buffer_.size(), static_cast<off_t>(file.offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return true;
    const std::string_view data(buffer_.data(), static_cast<size_t>(n));
    if (file.offset < kFingerprintBytes && file.first_bytes.size() == file.offset) {
      file.first_bytes.append(data.substr(0, kFingerprintBytes - file.offset));
    }
    file.offset += data.size();
    counts_.bytes += data.size();
    Split(file, data, on_line);
    if (data.size() >= kFingerprintBytes) {
      file.last_bytes.assign(data.substr(data.size() - kFingerprintBytes));
    } else {
      file.last_bytes.append(data);
      if (file.last_bytes.size() > kFingerprintBytes) {
        file.last_bytes.erase(0, file.last_bytes.size() - kFingerprintBytes);
      }
    }
    if (Clock::now() >= deadline) return false;
  }
}

bool Follower::Truncated(const OpenFile& file, uint64_t size) const {
  if (size < file.offset) return true;
  // Truncated, then written past where we were: the bytes before our offset, or the first
  // ones, changed.
  return (!file.last_bytes.empty() && ReadAt(file.fd, file.offset - file.last_bytes.size(),
                                             file.last_bytes.size()) != file.last_bytes) ||
         (!file.first_bytes.empty() &&
          ReadAt(file.fd, 0, file.first_bytes.size()) != file.first_bytes);
}

void Follower::RecoverFromCopy(OpenFile& file, Clock::time_point deadline,
                               const LineHandler& on_line) {
  if (file.offset == 0 || file.last_bytes.empty()) return;
  const std::string base = path_.filename().string();
  std::vector<std::pair<std::filesystem::file_time_type, std::filesystem::path>> candidates;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(path_.parent_path(), error)) {
    const std::string name = entry.path().filename().string();
    if (name.size() <= base.size() || !name.starts_with(base) || IsCompressed(name)) continue;
    std::error_code ignored;
    if (!entry.is_regular_file(ignored)) continue;
    candidates.emplace_back(entry.last_write_time(ignored), entry.path());
  }
  std::sort(candidates.begin(), candidates.end(), std::greater<>());
  if (candidates.size() > kCopyCandidates) candidates.resize(kCopyCandidates);
  for (const auto& [time, path] : candidates) {
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) continue;
    struct stat status {};
    OpenFile copy{.fd = fd, .device = 0, .inode = 0, .offset = file.offset};
    if (fstat(fd, &status) != 0 || (status.st_dev == file.device && status.st_ino == file.inode) ||
        static_cast<uint64_t>(status.st_size) < file.offset ||
        ReadAt(fd, file.offset - file.last_bytes.size(), file.last_bytes.size()) !=
            file.last_bytes) {
      Close(copy);
      continue;
    }
    copy.partial = std::move(file.partial);
    copy.skipping = file.skipping;
    file.partial.clear();
    file.skipping = false;
    const uint64_t before = counts_.bytes;
    Drain(copy, deadline, on_line);
    counts_.recovered_bytes += counts_.bytes - before;
    Flush(copy, on_line);
    Close(copy);
    return;
  }
}

void Follower::RetireOld(Clock::time_point deadline, const LineHandler& on_line) {
  if (!retired_) return;
  const uint64_t before = retired_->offset;
  Drain(*retired_, deadline, on_line);
  // A writer reopens its log within moments of the rename (nginx on USR1, supervisord at once):
  // quiet for a whole read, the old file is done with.
  if (retired_->offset == before && retired_reads_ > 0) {
    Flush(*retired_, on_line);
    Close(*retired_);
    retired_.reset();
  } else {
    ++retired_reads_;
  }
}

ReadOutcome Follower::Read(Clock::time_point deadline, const LineHandler& on_line) {
  ReadOutcome outcome;
  backlog_ = 0;
  RetireOld(deadline, on_line);
  if (current_.fd < 0) {
    if (!OpenCurrent(/*from_start=*/true, outcome.error)) {
      outcome.caught_up = true;
      return outcome;
    }
  } else {
    struct stat at_path {};
    const bool present = stat(path_.c_str(), &at_path) == 0;
    if (!present || at_path.st_dev != current_.device || at_path.st_ino != current_.inode) {
      // Renamed, deleted or replaced: the old file first, to its end, then the new one.
      if (!Drain(current_, deadline, on_line)) return outcome;
      ++counts_.rotations;
      if (retired_) {
        Flush(*retired_, on_line);
        Close(*retired_);
      }
      retired_ = std::move(current_);
      current_ = OpenFile{};
      retired_reads_ = 0;
      if (!present || !OpenCurrent(/*from_start=*/true, outcome.error)) {
        outcome.caught_up = true;
        return outcome;
      }
    }
  }
  struct stat status {};
  if (fstat(current_.fd, &status) == 0 &&
      Truncated(current_, static_cast<uint64_t>(status.st_size))) {
    ++counts_.truncations;
    RecoverFromCopy(current_, deadline, on_line);
    Flush(current_, on_line);
    current_.offset = 0;
    current_.last_bytes.clear();
    current_.first_bytes.clear();
  }
  outcome.caught_up = Drain(current_, deadline, on_line);
  outcome.mid_line = !current_.partial.empty() || current_.skipping;
  if (fstat(current_.fd, &status) == 0 && static_cast<uint64_t>(status.st_size) > current_.offset) {
    backlog_ = static_cast<uint64_t>(status.st_size) - current_.offset;
  }
  return outcome;
}

}  // namespace ooe::logs
