// Fuzz target: Document Server's /info/info.json reply (collectors/documentserver/parser.h).
#include <string_view>

#include "collectors/documentserver/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ooe::documentserver::ParseInfo(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
