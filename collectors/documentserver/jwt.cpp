#include "collectors/documentserver/jwt.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>

namespace ooe::documentserver {
namespace {

std::string HmacSha256(std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data(), &length);
  return {reinterpret_cast<const char*>(digest.data()), length};
}

}  // namespace

std::string Base64UrlEncode(std::string_view bytes) {
  std::string encoded(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                                     reinterpret_cast<const unsigned char*>(bytes.data()),
                                     static_cast<int>(bytes.size()));
  encoded.resize(static_cast<size_t>(length));
  while (!encoded.empty() && encoded.back() == '=') encoded.pop_back();
  for (char& c : encoded) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return encoded;
}

std::optional<std::string> Base64UrlDecode(std::string_view text) {
  std::string standard(text);
  for (char& c : standard) {
    if (c == '-')
      c = '+';
    else if (c == '_')
      c = '/';
    else if (c == '+' || c == '/' || c == '=')
      return std::nullopt;
  }
  if (standard.size() % 4 == 1) return std::nullopt;
  const size_t padding = (4 - standard.size() % 4) % 4;
  standard.append(padding, '=');
  std::string decoded(3 * standard.size() / 4 + 1, '\0');
  const int length = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(decoded.data()),
                                     reinterpret_cast<const unsigned char*>(standard.data()),
                                     static_cast<int>(standard.size()));
  if (length < 0) return std::nullopt;
  decoded.resize(static_cast<size_t>(length) - padding);  // EVP_DecodeBlock counts the padding
  return decoded;
}

std::string SignHs256(const nlohmann::json& payload, std::string_view secret) {
  static const std::string kHeader = Base64UrlEncode(R"({"alg":"HS256","typ":"JWT"})");
  const std::string signing_input = kHeader + "." + Base64UrlEncode(payload.dump());
  return signing_input + "." + Base64UrlEncode(HmacSha256(secret, signing_input));
}

TokenCheck CheckHs256(std::string_view token, std::string_view secret, long long now_seconds,
                      nlohmann::json* payload) {
  const auto first_dot = token.find('.');
  const auto last_dot = token.rfind('.');
  if (first_dot == std::string_view::npos || first_dot == last_dot) return TokenCheck::kInvalid;
  const auto header = Base64UrlDecode(token.substr(0, first_dot));
  const auto claims_text = Base64UrlDecode(token.substr(first_dot + 1, last_dot - first_dot - 1));
  const auto signature = Base64UrlDecode(token.substr(last_dot + 1));
  if (!header || !claims_text || !signature) return TokenCheck::kInvalid;
  const auto header_json = nlohmann::json::parse(*header, nullptr, false);
  // Not value("alg", ""): it throws when alg is no string.
  if (!header_json.is_object() || !header_json.contains("alg") || header_json["alg"] != "HS256") {
    return TokenCheck::kInvalid;
  }
  const std::string expected = HmacSha256(secret, token.substr(0, last_dot));
  if (signature->size() != expected.size() ||
      CRYPTO_memcmp(signature->data(), expected.data(), expected.size()) != 0) {
    return TokenCheck::kInvalid;
  }
  auto claims = nlohmann::json::parse(*claims_text, nullptr, false);
  if (!claims.is_object()) return TokenCheck::kInvalid;
  const auto exp = claims.find("exp");
  if (exp != claims.end() && exp->is_number() &&
      exp->get<double>() <= static_cast<double>(now_seconds)) {
    return TokenCheck::kExpired;
  }
  if (payload != nullptr) *payload = std::move(claims);
  return TokenCheck::kValid;
}

}  // namespace ooe::documentserver
