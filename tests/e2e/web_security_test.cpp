// --web.config.file: TLS, client certificates and bcrypt basic auth, checked with real TLS
// connections to the real binary.
#include <crypt.h>

#include <catch2/catch.hpp>

#include "collectors/http/client.h"
#include "tests/support/scrape.h"

namespace ooe {
namespace {

std::string BcryptHash(const std::string& password) {
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  REQUIRE(crypt_gensalt_rn("$2b$", 5, nullptr, 0, salt, sizeof salt) != nullptr);
  crypt_data scratch{};
  return crypt_r(password.c_str(), salt, &scratch);
}

struct Certificate {
  std::string cert;
  std::string key;
};

Certificate SelfSigned(const test::TempDir& dir, const std::string& name) {
  Certificate certificate{(dir / (name + ".pem")).string(), (dir / (name + "-key.pem")).string()};
  int exit_code = -1;
  test::RunCommand({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                    certificate.key, "-out", certificate.cert, "-days", "2", "-subj", "/CN=" + name,
                    "-addext", "subjectAltName=IP:127.0.0.1"},
                   &exit_code);
  REQUIRE(exit_code == 0);
  return certificate;
}

HttpResponse Get(const std::string& url, const std::string& ca_file, const std::string& user = "",
                 const std::string& password = "", const Certificate* client = nullptr) {
  HttpClient client_connection;
  HttpRequest request;
  request.url = url;
  request.tls.ca_file = ca_file;
  request.username = user;
  request.password = password;
  if (client != nullptr) {
    request.tls.cert_file = client->cert;
    request.tls.key_file = client->key;
  }
  return client_connection.Perform(request, Clock::now() + std::chrono::seconds(10));
}

}  // namespace

TEST_CASE("bcrypt basic auth: right password 200, wrong or none 401, secrets not logged") {
  test::TempDir dir;
  const std::string password = "scrape-pass-" + std::to_string(test::FreePort());
  test::WriteFile(dir / "web.yml", "basic_auth_users:\n  prometheus: " + BcryptHash(password) +
                                       "\nhttp_server_config:\n  headers:\n"
                                       "    X-Content-Type-Options: nosniff\n");
  test::ExporterProcess exporter({"--web.config.file=" + (dir / "web.yml").string()});
  const std::string base = "http://127.0.0.1:" + std::to_string(exporter.Port());

  auto response = Get(base + "/metrics", "", "prometheus", password);
  CHECK(response.status == 200);
  CHECK(response.body.find("onlyoffice_exporter_build_info") != std::string::npos);
  // Verified passwords are remembered: the second request needs no bcrypt round.
  CHECK(Get(base + "/metrics", "", "prometheus", password).status == 200);

  CHECK(Get(base + "/metrics", "", "prometheus", "wrong").status == 401);
  CHECK(Get(base + "/metrics", "", "nobody", password).status == 401);
  CHECK(Get(base + "/metrics", "").status == 401);
  CHECK(Get(base + "/", "").status == 401);
  CHECK(Get(base + "/-/healthy", "").status == 401);
  CHECK(exporter.Log().find(password) == std::string::npos);
}

TEST_CASE("TLS with basic auth: right password 200, wrong 401, plain HTTP refused") {
  test::TempDir dir;
  const auto server = SelfSigned(dir, "server");
  const std::string password = "tls-pass-" + std::to_string(test::FreePort());
  test::WriteFile(dir / "web.yml",
                  "tls_server_config:\n  cert_file: " + server.cert +
                      "\n  key_file: " + server.key +
                      "\nbasic_auth_users:\n  prometheus: " + BcryptHash(password) + "\n");
  test::ExporterProcess exporter({"--web.config.file=" + (dir / "web.yml").string()});
  const std::string port = std::to_string(exporter.Port());
  const std::string https = "https://127.0.0.1:" + port;

  // Several requests on fresh connections: the first TLS connection is what used to crash.
  for (int i = 0; i < 3; ++i) {
    const auto response = Get(https + "/metrics", server.cert, "prometheus", password);
    INFO(response.error.ToString());
    CHECK(response.status == 200);
    CHECK(response.body.find("onlyoffice_exporter_build_info") != std::string::npos);
  }
  CHECK(Get(https + "/metrics", server.cert, "prometheus", "wrong").status == 401);
  CHECK(Get(https + "/metrics", server.cert).status == 401);
  CHECK(Get(https + "/-/healthy", server.cert, "prometheus", password).status == 200);

  // Plain HTTP on the TLS port gets no HTTP answer.
  const auto plain = Get("http://127.0.0.1:" + port + "/metrics", "", "prometheus", password);
  CHECK(plain.status == 0);
  CHECK_FALSE(plain.Ok());
  // A client that does not trust the certificate does not get through either.
  const auto untrusted = Get(https + "/metrics", "", "prometheus", password);
  CHECK(untrusted.status == 0);
  CHECK(untrusted.error.ToString().find("certificate") != std::string::npos);

  // Through all of that the server kept serving, and logged no secret.
  CHECK(exporter.GetProcess().Running());
  CHECK(Get(https + "/metrics", server.cert, "prometheus", password).status == 200);
  CHECK(exporter.Log().find(password) == std::string::npos);
}

TEST_CASE("TLS client certificates: RequireAndVerifyClientCert admits only the CA's clients") {
  test::TempDir dir;
  const auto server = SelfSigned(dir, "server");
  // A self-signed client certificate is its own CA: trusting it admits that client only.
  const auto client = SelfSigned(dir, "client");
  const auto stranger = SelfSigned(dir, "stranger");
  test::WriteFile(dir / "web.yml", "tls_server_config:\n  cert_file: " + server.cert +
                                       "\n  key_file: " + server.key +
                                       "\n  client_ca_file: " + client.cert +
                                       "\n  client_auth_type: RequireAndVerifyClientCert\n"
                                       "  min_version: TLS13\n");
  test::ExporterProcess exporter({"--web.config.file=" + (dir / "web.yml").string()});
  const std::string https = "https://127.0.0.1:" + std::to_string(exporter.Port()) + "/metrics";

  const auto admitted = Get(https, server.cert, "", "", &client);
  INFO(admitted.error.ToString());
  CHECK(admitted.status == 200);
  CHECK(Get(https, server.cert).status == 0);                     // no certificate
  CHECK(Get(https, server.cert, "", "", &stranger).status == 0);  // not signed by the CA
  CHECK(Get(https, server.cert, "", "", &client).status == 200);
  CHECK(exporter.GetProcess().Running());
}

TEST_CASE("a TLS key that does not match its certificate stops start-up with status 2") {
  test::TempDir dir;
  const auto server = SelfSigned(dir, "server");
  const auto other = SelfSigned(dir, "other");
  test::WriteFile(dir / "web.yml", "tls_server_config:\n  cert_file: " + server.cert +
                                       "\n  key_file: " + other.key + "\n");
  int exit_code = -1;
  std::string err;
  test::RunCommand(
      {OOE_EXPORTER_BINARY, "--web.listen-address=127.0.0.1:" + std::to_string(test::FreePort()),
       "--web.config.file=" + (dir / "web.yml").string()},
      &exit_code, &err);
  CHECK(exit_code == 2);
  CHECK(err.find(other.key) != std::string::npos);
}

TEST_CASE("a bad web config exits 2 naming the file and the key") {
  test::TempDir dir;
  test::WriteFile(dir / "typo.yml", "basic_auth_user:\n  a: b\n");
  test::WriteFile(dir / "plain.yml", "basic_auth_users:\n  prometheus: hunter2\n");
  test::WriteFile(dir / "list-user.yml", "basic_auth_users:\n  [a]: $2y$x\n");
  test::WriteFile(dir / "list-header.yml", "http_server_config:\n  headers:\n    a: [b]\n");
  for (const auto& [file, expected] : std::vector<std::pair<std::string, std::string>>{
           {"typo.yml", "basic_auth_user: unknown key"},
           {"plain.yml", "basic_auth_users.prometheus: must be a bcrypt hash ($2y$...)"},
           {"missing.yml", "(file): cannot be read"},
           {"list-user.yml", "basic_auth_users: user names must be strings"},
           {"list-header.yml",
            "http_server_config.headers: header names and values must be strings"}}) {
    int exit_code = -1;
    std::string err;
    test::RunCommand({OOE_EXPORTER_BINARY, "--web.config.file=" + (dir / file).string()},
                     &exit_code, &err);
    CHECK(exit_code == 2);
    CHECK(err == "onlyoffice-exporter: " + (dir / file).string() + ": " + expected + "\n");
    CHECK(err.find("hunter2") == std::string::npos);
  }
}

}  // namespace ooe
