// Fuzz target: HS256 tokens as DocService (and our stand-in) check them, and base64url
// (collectors/documentserver/jwt.h).
#include <cstdlib>
#include <string_view>

#include "collectors/documentserver/jwt.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace ds = ooe::documentserver;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  nlohmann::json payload;
  ds::CheckHs256(text, "secret", 1'700'000'000, &payload);
  // Whatever decodes must survive an encode and decode round trip unchanged.
  if (const auto decoded = ds::Base64UrlDecode(text)) {
    if (ds::Base64UrlDecode(ds::Base64UrlEncode(*decoded)) != decoded) std::abort();
  }
  // A token we sign for any claims must check as valid with the same secret.
  const auto claims = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (claims.is_object() && !claims.contains("exp")) {
    if (ds::CheckHs256(ds::SignHs256(claims, text), text, 0) != ds::TokenCheck::kValid) {
      std::abort();
    }
  }
  return 0;
}
