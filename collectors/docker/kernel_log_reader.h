// Follows the kernel's log (/dev/kmsg) across scrapes and counts the OOM kills in it per
// container (kernel_log.h). The descriptor stays open, so each scrape reads only what the kernel
// logged since the last one; the first read starts at the oldest record the kernel still holds,
// so a restarted exporter counts again the kills the kernel still remembers (the same value it
// exported before, plus those while it was down) instead of starting from zero.
#pragma once

#include <optional>
#include <string>

#include "collectors/docker/kernel_log.h"

namespace ooe::docker {

class KernelLogReader {
 public:
  // `path`: /dev/kmsg, or where the engine host's is seen. `host` names the engine in log lines.
  KernelLogReader(std::string path, std::string host);
  ~KernelLogReader();
  KernelLogReader(const KernelLogReader&) = delete;
  KernelLogReader& operator=(const KernelLogReader&) = delete;

  // Reads every record logged since the last call (none block). False when the log cannot be
  // read (opening it needs CAP_SYSLOG unless kernel.dmesg_restrict is 0): then the counts are
  // unknown, not zero. Logs once when that changes, and when the kernel overwrote records
  // before they were read (a flood of kernel messages between two scrapes).
  bool Read();

  const OomTally& Tally() const { return tally_; }
  OomTally& Tally() { return tally_; }

 private:
  std::string path_;
  std::string host_;
  int descriptor_ = -1;
  std::optional<bool> readable_;  // unset before the first Read
  OomTally tally_;
};

}  // namespace ooe::docker
