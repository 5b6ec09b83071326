// Prometheus' tls_config block, as every target of every kind spells it (Prometheus' scrape
// configs and its exporters write the same keys).
#pragma once

#include <string>

namespace ooe {

struct TlsConfig {
  std::string ca_file;      // PEM bundle to verify the server with; empty: the system's CAs
  std::string cert_file;    // client certificate (PEM), for mutual TLS
  std::string key_file;     // its key
  std::string server_name;  // the name sent (SNI) and verified; empty: the host of the address
  bool insecure_skip_verify = false;
};

}  // namespace ooe
