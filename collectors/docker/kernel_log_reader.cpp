#include "collectors/docker/kernel_log_reader.h"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "base/log.h"

namespace ooe::docker {
namespace {

// A /dev/kmsg read returns one whole record and fails with EINVAL when the buffer is smaller;
// the kernel's records are at most 8 KiB (CONSOLE_EXT_LOG_MAX) with their dictionary.
constexpr size_t kRecordBytes = 16384;

}  // namespace

KernelLogReader::KernelLogReader(std::string path, std::string host)
    : path_(std::move(path)), host_(std::move(host)) {}

KernelLogReader::~KernelLogReader() {
  if (descriptor_ >= 0) ::close(descriptor_);
}

bool KernelLogReader::Read() {
  std::string why;
  if (descriptor_ < 0) {
    descriptor_ = ::open(path_.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (descriptor_ < 0) why = path_ + ": " + std::strerror(errno);
  }
  size_t lost = 0;
  size_t malformed = 0;
  std::string first_malformed;
  if (descriptor_ >= 0) {
    std::array<char, kRecordBytes> buffer{};
    while (true) {
      const ssize_t count = ::read(descriptor_, buffer.data(), buffer.size());
      if (count > 0) {
        const auto record = ParseKernelRecord(std::string_view(buffer.data(), size_t(count)));
        if (record) {
          tally_.Add(*record);
        } else if (malformed++ == 0) {
          first_malformed = record.error;
        }
        continue;
      }
      if (count < 0 && errno == EINTR) continue;
      // The records at the descriptor's position were overwritten: the next read goes on with
      // the oldest one left.
      if (count < 0 && errno == EPIPE) {
        ++lost;
        continue;
      }
      if (count == 0 || errno == EAGAIN) break;
      why = path_ + ": " + std::strerror(errno);
      ::close(descriptor_);
      descriptor_ = -1;
      break;
    }
  }
  const bool readable = why.empty();
  if (!readable_ || *readable_ != readable) {
    if (readable) {
      Log(LogLevel::kInfo, "docker: OOM kills from the kernel log",
          {{"host", host_}, {"path", path_}});
    } else {
      Log(LogLevel::kWarn, "docker: cannot read the kernel log: no container_oom_events_total",
          {{"host", host_}, {"error", why}});
    }
  }
  // Not on the first read: the kernel has always dropped its oldest records by then.
  if (lost > 0 && readable_) {
    Log(LogLevel::kWarn,
        "docker: the kernel overwrote log records before they were read: OOM kills may be missed",
        {{"host", host_}, {"path", path_}});
  }
  if (malformed > 0) {
    Log(LogLevel::kWarn, "docker: kernel log records skipped",
        {{"host", host_}, {"records", std::to_string(malformed)}, {"first", first_malformed}});
  }
  readable_ = readable;
  return readable;
}

}  // namespace ooe::docker
