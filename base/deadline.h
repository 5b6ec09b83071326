// Time as the exporter bounds its work: one steady clock, and what is left until a deadline.
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

}  // namespace ooe
