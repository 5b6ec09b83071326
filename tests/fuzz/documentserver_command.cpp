// Fuzz target: Document Server's CommandService.ashx replies, the version string in them and
// ISO times (collectors/documentserver/parser.h).
#include <string_view>

#include "collectors/documentserver/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace ds = ooe::documentserver;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  if (const auto reply = ds::ParseCommandReply(body)) ds::SplitVersion(reply->version);
  ds::SplitVersion(body);
  ds::ParseIsoTimestamp(body);
  return 0;
}
