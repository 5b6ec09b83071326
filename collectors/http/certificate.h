// The server certificates a TLS connection presented, as libcurl's CURLINFO_CERTINFO lists them
// ("Expire date:Jan 12 00:00:00 2027 GMT" among each certificate's fields): pure, so it is tested
// and fuzzed on its text.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace ooe {

// "Jan 12 00:00:00 2027 GMT" (OpenSSL's ASN1_TIME_print, as curl writes it) as unix seconds;
// nullopt for anything else.
std::optional<double> ParseCertificateTime(std::string_view text);

// The earliest "Expire date" among `certificates`, each the "Name:value" fields curl gives for
// one certificate of the chain: when the first of them expires (blackbox_exporter's
// probe_ssl_earliest_cert_expiry). nullopt when none has a readable expiry.
std::optional<double> EarliestExpiry(
    const std::vector<std::vector<std::string_view>>& certificates);

}  // namespace ooe
