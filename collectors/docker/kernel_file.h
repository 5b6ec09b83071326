// Reading the kernel's pseudo-files (/proc, /sys/fs/cgroup): they report size 0, so they are
// read until end of file, bounded.
#pragma once

#include <cstddef>
#include <string>

namespace ooe::docker {

// memory.stat is about 1.5 KiB, io.stat a line per device, /proc/PID/limits 1.4 KiB.
constexpr size_t kMaxKernelFileBytes = size_t{1} << 20;

// `path`'s whole content, or false with `why` set to "PATH: reason".
bool ReadKernelFile(const std::string& path, std::string& content, std::string& why,
                    size_t max_bytes = kMaxKernelFileBytes);

}  // namespace ooe::docker
