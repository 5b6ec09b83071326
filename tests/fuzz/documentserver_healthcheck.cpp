// Fuzz target: Document Server's /healthcheck body (collectors/documentserver/parser.h).
#include <cstdlib>
#include <string_view>

#include "collectors/documentserver/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace ds = ooe::documentserver;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const auto verdict = ds::JudgeHealthcheck(200, body);
  // Healthy only for DocService's own `true`; anything else is a body failure.
  if (verdict != ds::ProbeFailure::kNone && verdict != ds::ProbeFailure::kBody) std::abort();
  if (verdict == ds::ProbeFailure::kNone && !ds::IsHealthcheckBody(body)) std::abort();
  if (ds::JudgeHealthcheck(502, body) != ds::ProbeFailure::kHttpStatus) std::abort();
  return 0;
}
