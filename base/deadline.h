// Time as the exporter bounds its work: one steady clock, and what is left until a deadline; and
// the wall clock as unix seconds, for what is compared with other hosts' times.
#pragma once

#include <chrono>

namespace ooe {

using Clock = std::chrono::steady_clock;

// Time left until `deadline`, never negative: what transports hand to CURLOPT_TIMEOUT_MS,
// redisSetTimeout or libpq.
inline std::chrono::milliseconds Remaining(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() > 0 ? left : std::chrono::milliseconds(0);
}

// The wall clock now, in unix seconds with their fraction.
inline double UnixNow() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace ooe
