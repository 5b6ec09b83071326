// Document Server's security posture (collectors/documentserver/security.h) against the
// DocService stand-in, which checks tokens as CommandService does: JWT off, on with the
// exporter's secret, on with a publicly known secret, on with the wrong one; and real TLS through
// nginx with certificates made here (valid, expiring in 2 days, expired, from a CA the exporter
// does not know). No secret may reach a metric, a label, a log line or the description.
#include <catch2/catch.hpp>
#include <ctime>
#include <thread>

#include "tests/support/collect.h"
#include "tests/support/documentserver.h"
#include "tests/support/nginx.h"
#include "tests/support/scrape.h"

namespace ooe {
namespace {

using test::FindValue;
using Labels = std::map<std::string, std::string>;

std::vector<test::Sample> Scrape(const TargetCollector& collector, std::string* error = nullptr) {
  const auto result = collector.Collect(ScrapeContext{Clock::now() + std::chrono::seconds(10)});
  if (error != nullptr) *error = result.ErrorLine();
  return test::SamplesOf(result);
}

TargetCollector Target(const test::DocServiceStandin& standin, const std::string& extra = "") {
  return test::MakeTarget("documentserver", "url: " + standin.Url() + "\n" + extra);
}

}  // namespace

TEST_CASE("security: JWT off is seen, and no known secret is judged then") {
  test::DocServiceStandin standin;  // no secret: JWT off
  const auto samples = Scrape(Target(standin));
  CHECK(FindValue(samples, "onlyoffice_documentserver_jwt_enforced") == 0);
  // With JWT off every token is accepted: the question has no answer, so no series.
  CHECK(FindValue(samples, "onlyoffice_documentserver_jwt_known_secret_accepted") == std::nullopt);
  CHECK(FindValue(samples, "onlyoffice_documentserver_security_probe_timestamp_seconds").value() ==
        Approx(UnixNow()).margin(30));
}

TEST_CASE("security: JWT on with the exporter's own secret: enforced, no known secret") {
  const std::string secret = "exporter-test-secret-" + std::to_string(test::FreePort());
  test::DocServiceStandin standin("docservice-9.4.0", secret);
  test::TempDir dir;
  test::WriteFile(dir / "jwt", secret);
  const auto collector = Target(standin, "jwt_secret_file: " + (dir / "jwt").string() + "\n");
  std::string error;
  const auto samples = Scrape(collector, &error);
  CHECK(error.empty());
  CHECK(FindValue(samples, "onlyoffice_documentserver_command_error", {{"command", "version"}}) ==
        0);
  CHECK(FindValue(samples, "onlyoffice_documentserver_jwt_enforced") == 1);
  // The exporter's own commands, signed with the right secret, answer error 0: they are not
  // taken for a known secret accepted.
  CHECK(FindValue(samples, "onlyoffice_documentserver_jwt_known_secret_accepted") == 0);
  for (const auto& sample : samples) {
    for (const auto& [name, value] : sample.labels) CHECK(value.find(secret) == std::string::npos);
  }
  CHECK(collector.collector->Describe().find(secret) == std::string::npos);
}

TEST_CASE("security: a publicly known secret accepted is seen, never which one") {
  for (const std::string secret : {"your_jwt_secret_key_here", "secret"}) {
    INFO(secret);
    test::DocServiceStandin standin("docservice-9.4.0", secret);
    const auto samples = Scrape(Target(standin));
    CHECK(FindValue(samples, "onlyoffice_documentserver_jwt_enforced") == 1);
    CHECK(FindValue(samples, "onlyoffice_documentserver_jwt_known_secret_accepted") == 1);
    for (const auto& sample : samples) {
      for (const auto& [name, value] : sample.labels) CHECK(value != secret);
    }
  }
  // The operator's own list, from a file (secrets stay out of the configuration).
  test::DocServiceStandin leaked("docservice-9.4.0", "an-old-leaked-secret");
  test::TempDir dir;
  test::WriteFile(dir / "known", "# ours, leaked in 2025\nan-old-leaked-secret\n");
  CHECK(FindValue(Scrape(Target(leaked, "known_secrets_file: " + (dir / "known").string() + "\n")),
                  "onlyoffice_documentserver_jwt_known_secret_accepted") == 1);
  CHECK(FindValue(Scrape(Target(leaked)), "onlyoffice_documentserver_jwt_known_secret_accepted") ==
        0);
}

TEST_CASE("security: the probes run once, then at most every interval; off with a switch") {
  test::DocServiceStandin standin("docservice-9.4.0", "some-secret");
  const auto rare = Target(standin);  // default interval, 10 minutes
  const auto first =
      FindValue(Scrape(rare), "onlyoffice_documentserver_security_probe_timestamp_seconds");
  REQUIRE(first);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  CHECK(FindValue(Scrape(rare), "onlyoffice_documentserver_security_probe_timestamp_seconds") ==
        first);
  const auto often = Target(standin, "security_probe_interval: 1s\n");
  const auto before =
      FindValue(Scrape(often), "onlyoffice_documentserver_security_probe_timestamp_seconds");
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  CHECK(FindValue(Scrape(often), "onlyoffice_documentserver_security_probe_timestamp_seconds") >
        before);
  const auto off = Scrape(Target(standin, "security_probes: false\n"));
  CHECK(FindValue(off, "onlyoffice_documentserver_jwt_enforced") == std::nullopt);
  CHECK(FindValue(off, "onlyoffice_documentserver_healthcheck_up", {{"via", "nginx"}}) == 1);
}

}  // namespace ooe

namespace ooe {
namespace {

// A CA of the test's own and leaf certificates for 127.0.0.1 it signs, with the validity the
// test wants (openssl ca takes explicit start and end dates, so an expired one can be made).
class TestCa {
 public:
  TestCa() {
    Run({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", Path("ca.key"),
         "-out", Path("ca.pem"), "-days", "365", "-subj", "/CN=exporter test CA"});
    test::WriteFile(dir_ / "index.txt", "");
    test::WriteFile(dir_ / "serial", "1000\n");
    test::WriteFile(
        dir_ / "ca.cnf",
        "[ca]\ndefault_ca = ca_default\n[ca_default]\ndir = " + dir_.Path().string() +
            "\ndatabase = $dir/index.txt\n" + "new_certs_dir = $dir\nserial = $dir/serial\n" +
            "default_md = sha256\npolicy = any\n" +
            "copy_extensions = copy\nunique_subject = no\n" + "[any]\ncommonName = supplied\n");
  }
  std::string CaFile() const { return Path("ca.pem"); }

  // `name`.pem and `name`.key, valid from `start` to `end` (openssl's YYYYMMDDHHMMSSZ).
  std::pair<std::string, std::string> Leaf(const std::string& name, const std::string& start,
                                           const std::string& end) const {
    Run({"openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", Path(name + ".key"), "-out",
         Path(name + ".csr"), "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"});
    Run({"openssl", "ca", "-batch", "-notext", "-config", Path("ca.cnf"), "-cert", Path("ca.pem"),
         "-keyfile", Path("ca.key"), "-in", Path(name + ".csr"), "-out", Path(name + ".pem"),
         "-startdate", start, "-enddate", end});
    return {Path(name + ".pem"), Path(name + ".key")};
  }

  // Self-signed: no CA the exporter is given knows it.
  std::pair<std::string, std::string> SelfSigned(const std::string& name) const {
    Run({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", Path(name + ".key"),
         "-out", Path(name + ".pem"), "-days", "30", "-subj", "/CN=127.0.0.1", "-addext",
         "subjectAltName=IP:127.0.0.1"});
    return {Path(name + ".pem"), Path(name + ".key")};
  }

 private:
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }
  static void Run(const std::vector<std::string>& command) {
    int exit_code = -1;
    std::string err;
    test::RunCommand(command, &exit_code, &err);
    INFO(err);
    REQUIRE(exit_code == 0);
  }
  test::TempDir dir_;
};

// openssl's date format, `seconds` from now.
std::string OpensslDate(long long seconds) {
  const std::time_t when = std::time(nullptr) + seconds;
  std::tm utc{};
  gmtime_r(&when, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%d%H%M%SZ", &utc);
  return text;
}

// nginx as Document Server configures it, speaking TLS with `certificate`.
test::Nginx TlsNginx(const test::DocServiceStandin& standin,
                     const std::pair<std::string, std::string>& certificate) {
  auto config =
      test::ReadFile(std::string(OOE_SOURCE_DIR) + "/tools/documentserver-standin/nginx.conf.in");
  const std::string listen = "listen @LISTEN@;";
  config.replace(config.find(listen), listen.size(),
                 "listen @LISTEN@ ssl; ssl_certificate " + certificate.first +
                     "; ssl_certificate_key " + certificate.second + ";");
  return test::Nginx(
      config, false,
      {{"@UPSTREAM@", "127.0.0.1:" + std::to_string(standin.Port())}, {"@READ_TIMEOUT@", "60s"}});
}

}  // namespace

TEST_CASE(
    "security: https certificates: expiry and verification, valid, expiring, expired, unknown") {
  test::DocServiceStandin standin;
  TestCa ca;
  struct Case {
    std::string name;
    std::pair<std::string, std::string> certificate;
    double expires_in_days;
    double verified;
  };
  const std::vector<Case> cases = {
      {"valid", ca.Leaf("valid", OpensslDate(-3600), OpensslDate(30 * 86400)), 30, 1},
      {"expiring", ca.Leaf("expiring", OpensslDate(-3600), OpensslDate(2 * 86400)), 2, 1},
      {"expired", ca.Leaf("expired", OpensslDate(-10 * 86400), OpensslDate(-86400)), -1, 0},
      {"unknown CA", ca.SelfSigned("unknown"), 30, 0},
  };
  for (const auto& each : cases) {
    INFO(each.name);
    auto nginx = TlsNginx(standin, each.certificate);
    const auto url = "https://127.0.0.1:" + std::to_string(nginx.Port());
    const auto collector = test::MakeTarget(
        "documentserver", "url: " + url + "\ntls_config: {ca_file: " + ca.CaFile() + "}\n");
    // Twice: the second reply comes on the kept connection, which presents no certificate.
    for (int scrape = 0; scrape < 2; ++scrape) {
      const auto samples = Scrape(collector);
      const std::map<std::string, std::string> via = {{"via", "nginx"}};
      const auto expiry = FindValue(
          samples, "onlyoffice_documentserver_ssl_earliest_cert_expiry_timestamp_seconds", via);
      REQUIRE(expiry);
      CHECK((*expiry - UnixNow()) / 86400 == Approx(each.expires_in_days).margin(0.1));
      CHECK(FindValue(samples, "onlyoffice_documentserver_ssl_verified", via) == each.verified);
      CHECK(FindValue(samples, "onlyoffice_documentserver_healthcheck_up", via) == each.verified);
    }
  }
}

}  // namespace ooe
