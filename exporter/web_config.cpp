#include "exporter/web_config.h"

#include <crypt.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <filesystem>
#include <fstream>

#include "base/config_node.h"

namespace ooe {
namespace {

std::string Base64Decode(std::string_view text) {
  std::string decoded((text.size() / 4 + 1) * 3, '\0');
  const int length = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(decoded.data()),
                                     reinterpret_cast<const unsigned char*>(text.data()),
                                     static_cast<int>(text.size()));
  if (length < 0 || text.size() % 4 != 0) return {};
  decoded.resize(static_cast<size_t>(length));
  // EVP_DecodeBlock counts the padding as zero bytes.
  for (size_t i = text.size(); i > 0 && text[i - 1] == '='; --i) decoded.pop_back();
  return decoded;
}

std::string Sha256(const std::string& text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof digest);
}

void RequireReadable(const ConfigNode& node, std::string_view key) {
  const auto path = node.String(key, "");
  if (!std::ifstream(path)) node.Fail(key, "cannot read '" + path + "'");
}

std::string OpenSslError() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown OpenSSL error";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

// Loads the files as the server will, so a wrong key or a non-PEM file stops start-up with the
// key named instead of failing every TLS handshake later.
void CheckCertificateAndKey(const ConfigNode& tls_node, const TlsServerConfig& tls) {
  const std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> context(SSL_CTX_new(TLS_server_method()),
                                                                  &SSL_CTX_free);
  if (!context) tls_node.Fail("cert_file", OpenSslError());
  if (const auto error = LoadTlsFiles(context.get(), tls))
    tls_node.Fail(error->key, error->problem);
}

}  // namespace

std::optional<TlsFileError> LoadTlsFiles(SSL_CTX* context, const TlsServerConfig& tls) {
  if (SSL_CTX_use_certificate_chain_file(context, tls.cert_file.c_str()) != 1) {
    return TlsFileError{"cert_file",
                        "'" + tls.cert_file + "' is not a PEM certificate: " + OpenSslError()};
  }
  if (SSL_CTX_use_PrivateKey_file(context, tls.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    return TlsFileError{"key_file",
                        "'" + tls.key_file + "' is not a PEM private key: " + OpenSslError()};
  }
  if (SSL_CTX_check_private_key(context) != 1) {
    return TlsFileError{"key_file", "'" + tls.key_file + "' does not match the certificate in '" +
                                        tls.cert_file + "'"};
  }
  if (!tls.client_ca_file.empty() &&
      SSL_CTX_load_verify_locations(context, tls.client_ca_file.c_str(), nullptr) != 1) {
    return TlsFileError{"client_ca_file",
                        "'" + tls.client_ca_file + "' holds no PEM certificate: " + OpenSslError()};
  }
  return std::nullopt;
}

WebConfig LoadWebConfig(const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    throw ConfigError(path, "(file)", "cannot be read");
  } catch (const YAML::Exception& error) {
    throw ConfigError(path,
                      "line " + std::to_string(error.mark.line + 1) + " column " +
                          std::to_string(error.mark.column + 1),
                      error.msg);
  }
  const ConfigNode config(root, path, "");
  config.ExpectOnly({"tls_server_config", "basic_auth_users", "http_server_config"});
  WebConfig web;
  if (config.Has("tls_server_config")) {
    const auto tls = config.Child("tls_server_config");
    tls.ExpectOnly({"cert_file", "key_file", "client_ca_file", "client_auth_type", "min_version",
                    "max_version", "cipher_suites", "prefer_server_cipher_suites",
                    "curve_preferences"});
    web.tls_enabled = true;
    web.tls.cert_file = tls.RequiredString("cert_file");
    web.tls.key_file = tls.RequiredString("key_file");
    RequireReadable(tls, "cert_file");
    RequireReadable(tls, "key_file");
    web.tls.client_ca_file = tls.String("client_ca_file", "");
    if (!web.tls.client_ca_file.empty()) RequireReadable(tls, "client_ca_file");
    CheckCertificateAndKey(tls, web.tls);
    web.tls.client_auth_type = tls.String("client_auth_type", "NoClientCert");
    static const std::set<std::string> kAuthTypes = {
        "NoClientCert", "RequestClientCert", "RequireAnyClientCert", "VerifyClientCertIfGiven",
        "RequireAndVerifyClientCert"};
    if (!kAuthTypes.contains(web.tls.client_auth_type)) {
      tls.Fail("client_auth_type",
               "must be one of NoClientCert, RequestClientCert, "
               "RequireAnyClientCert, VerifyClientCertIfGiven, "
               "RequireAndVerifyClientCert");
    }
    if (web.tls.client_auth_type.find("Verify") != std::string::npos &&
        web.tls.client_ca_file.empty()) {
      tls.Fail("client_ca_file", "is required with client_auth_type " + web.tls.client_auth_type);
    }
    web.tls.min_version = tls.String("min_version", "TLS12");
    if (web.tls.min_version != "TLS12" && web.tls.min_version != "TLS13") {
      tls.Fail("min_version", "must be TLS12 or TLS13");
    }
  }
  if (config.Has("basic_auth_users")) {
    const auto users = config.Yaml()["basic_auth_users"];
    if (!users.IsMap()) config.Fail("basic_auth_users", "must map user names to bcrypt hashes");
    for (const auto& user : users) {
      if (!user.first.IsScalar()) config.Fail("basic_auth_users", "user names must be strings");
      const auto name = user.first.Scalar();
      const auto hash = user.second.IsScalar() ? user.second.Scalar() : std::string();
      if (!hash.starts_with("$2")) {
        config.Fail("basic_auth_users." + name, "must be a bcrypt hash ($2y$...)");
      }
      web.basic_auth_users[name] = hash;
    }
  }
  const auto server = config.Child("http_server_config");
  server.ExpectOnly({"headers", "http2"});
  if (server.Has("headers")) {
    const auto headers = server.Yaml()["headers"];
    if (!headers.IsMap()) server.Fail("headers", "must map header names to values");
    for (const auto& header : headers) {
      if (!header.first.IsScalar() || !header.second.IsScalar()) {
        server.Fail("headers", "header names and values must be strings");
      }
      web.headers.emplace_back(header.first.Scalar(), header.second.Scalar());
    }
  }
  return web;
}

BasicAuthenticator::BasicAuthenticator(std::map<std::string, std::string> users)
    : users_(std::move(users)) {}

bool BasicAuthenticator::Allows(const char* authorization_header) {
  if (users_.empty()) return true;
  if (authorization_header == nullptr) return false;
  const std::string_view header(authorization_header);
  if (!header.starts_with("Basic ")) return false;
  const auto credentials = Base64Decode(header.substr(6));
  const auto colon = credentials.find(':');
  if (colon == std::string::npos) return false;
  const std::string user = credentials.substr(0, colon);
  const std::string password = credentials.substr(colon + 1);
  const auto found = users_.find(user);
  if (found == users_.end()) return false;
  const auto key = Sha256(user + '\0' + password + '\0' + found->second);
  {
    std::lock_guard lock(mutex_);
    if (verified_.contains(key)) return true;
  }
  crypt_data scratch{};
  const char* computed = crypt_r(password.c_str(), found->second.c_str(), &scratch);
  if (computed == nullptr || found->second != computed) return false;
  std::lock_guard lock(mutex_);
  if (verified_.size() < 1024) verified_.insert(key);
  return true;
}

}  // namespace ooe
