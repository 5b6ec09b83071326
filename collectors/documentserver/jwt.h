// HS256 JSON Web Tokens as Document Server reads them (services.CoAuthoring.secret), with
// OpenSSL's HMAC: signing for CommandService requests, and checking for the stand-in that plays
// DocService in tests.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace ooe::documentserver {

// header.payload.signature, each part base64url without padding.
std::string SignHs256(const nlohmann::json& payload, std::string_view secret);

enum class TokenCheck { kValid, kInvalid, kExpired };

// Checks the signature (constant time) and `exp`, as DocService does; `payload` gets the claims
// of a valid token.
TokenCheck CheckHs256(std::string_view token, std::string_view secret, long long now_seconds,
                      nlohmann::json* payload = nullptr);

std::string Base64UrlEncode(std::string_view bytes);
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace ooe::documentserver
