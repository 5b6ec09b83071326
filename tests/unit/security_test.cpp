// The pure parts of Document Server's security posture: certificate times as curl lists them,
// the earliest expiry of a chain, and what CommandService's answers to the JWT probes mean, on
// its real replies.
#include "collectors/documentserver/security.h"

#include <catch2/catch.hpp>

#include "collectors/http/certificate.h"
#include "tests/support/process.h"

namespace ooe {
namespace {

HttpResponse Reply(const std::string& fixture) {
  HttpResponse response;
  response.status = 200;
  response.body = test::ReadFile(std::string(OOE_SHARED_FIXTURES_DIR) +
                                 "/documentserver/docservice-7.1.1/" + fixture + ".body");
  return response;
}

}  // namespace

TEST_CASE("certificate times: OpenSSL's format as curl gives it, anything else refused") {
  CHECK(ParseCertificateTime("Jan 12 00:00:00 2027 GMT") == 1799712000);
  CHECK(ParseCertificateTime("Mar  1 08:30:15 2027 GMT") == 1803889815);
  for (const auto* bad :
       {"", "Jan", "Foo 12 00:00:00 2027 GMT", "Jan 12 00:00:00 2027", "Jan 12 25:00:00 2027 GMT",
        "Jan 32 00:00:00 2027 GMT", "Jan 12 00:00 2027 GMT", "2027-01-12T00:00:00Z"}) {
    INFO(bad);
    CHECK_FALSE(ParseCertificateTime(bad));
  }
}

TEST_CASE("certificate chain: the earliest expiry of all its certificates") {
  const std::vector<std::vector<std::string_view>> chain = {
      {"Subject:CN = 127.0.0.1", "Start date:Nov 30 00:00:00 2026 GMT",
       "Expire date:Dec 30 00:00:00 2026 GMT"},
      {"Subject:CN = exporter test CA", "Expire date:Dec  1 00:00:00 2026 GMT"},
      {"Subject:CN = garbage", "Expire date:someday"},
  };
  CHECK(EarliestExpiry(chain) == 1796083200);
  CHECK_FALSE(EarliestExpiry({{"Subject:CN = x"}}));
  CHECK_FALSE(EarliestExpiry({}));
}

TEST_CASE("JWT probes: CommandService's real answers judged") {
  using documentserver::JudgeJwtProbes;
  // JWT off: the unsigned version command runs (error 0); no judgement of known secrets.
  auto verdict = JudgeJwtProbes({Reply("command-version-nojwt")});
  REQUIRE(verdict);
  CHECK_FALSE(verdict->enforced);
  CHECK_FALSE(verdict->default_accepted);
  // JWT on: missing token is error 6; a known secret rejected (6) or accepted (0).
  verdict = JudgeJwtProbes({Reply("command-version-jwt-missing"),
                            Reply("command-version-jwt-wrong-secret"),
                            Reply("command-version-jwt-wrong-secret")});
  REQUIRE(verdict);
  CHECK(verdict->enforced);
  CHECK(verdict->default_accepted == false);
  verdict = JudgeJwtProbes({Reply("command-version-jwt-missing"),
                            Reply("command-version-jwt-wrong-secret"),
                            Reply("command-version-jwt-header-ok")});
  REQUIRE(verdict);
  CHECK(verdict->default_accepted == true);
  // No CommandService answer (nginx's 502, a refused connection): no verdict at all.
  HttpResponse bad_gateway;
  bad_gateway.status = 502;
  CHECK_FALSE(JudgeJwtProbes({bad_gateway}));
  CHECK_FALSE(JudgeJwtProbes({Reply("command-version-jwt-missing"), bad_gateway}));
  CHECK_FALSE(JudgeJwtProbes({}));
}

TEST_CASE("known secrets: the built-in list has the seed's example, and no empty secret") {
  const auto secrets = documentserver::BuiltInKnownSecrets();
  CHECK(std::find(secrets.begin(), secrets.end(), "your_jwt_secret_key_here") != secrets.end());
  for (const auto& secret : secrets) CHECK_FALSE(secret.empty());
}

}  // namespace ooe
