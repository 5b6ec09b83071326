// --web.config.file, in the Prometheus exporter-toolkit format: TLS (optionally requiring client
// certificates) and basic auth users with bcrypt hashes.
#pragma once

#include <openssl/types.h>

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace ooe {

struct TlsServerConfig {
  std::string cert_file;
  std::string key_file;
  std::string client_ca_file;
  // exporter-toolkit's client_auth_type: NoClientCert, RequestClientCert, RequireAnyClientCert,
  // VerifyClientCertIfGiven, RequireAndVerifyClientCert.
  std::string client_auth_type = "NoClientCert";
  std::string min_version = "TLS12";
};

struct WebConfig {
  bool tls_enabled = false;
  TlsServerConfig tls;
  std::map<std::string, std::string> basic_auth_users;  // user -> bcrypt hash
  std::vector<std::pair<std::string, std::string>> headers;
};

// Loads the certificate chain, key (checked against the certificate) and client CA into
// `context`: at start-up into a throwaway one to check the files, then into civetweb's. On
// failure, the tls_server_config key at fault and why.
struct TlsFileError {
  std::string key;
  std::string problem;
};
std::optional<TlsFileError> LoadTlsFiles(SSL_CTX* context, const TlsServerConfig& tls);

// Reads and checks the file; throws ConfigError naming the file and key.
WebConfig LoadWebConfig(const std::string& path);

// Checks "Authorization: Basic ..." against the bcrypt hashes with the system's crypt(3).
// Remembers passwords already verified (by a SHA-256 of user and password, never the password),
// since each bcrypt check costs tens of milliseconds by design.
class BasicAuthenticator {
 public:
  explicit BasicAuthenticator(std::map<std::string, std::string> users);
  bool Enabled() const { return !users_.empty(); }
  bool Allows(const char* authorization_header);

 private:
  std::map<std::string, std::string> users_;
  std::mutex mutex_;
  std::set<std::string> verified_;
};

}  // namespace ooe
