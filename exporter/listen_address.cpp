#include "exporter/listen_address.h"

#include <civetweb.h>

#include <charconv>
#include <stdexcept>

namespace ooe {

std::string CivetListeningPort(const std::string& listen_address) {
  const auto colon = listen_address.rfind(':');
  if (colon == std::string::npos) {
    throw std::invalid_argument("'" + listen_address + "' must be host:port or :port");
  }
  const std::string host = listen_address.substr(0, colon);
  std::string port = listen_address.substr(colon + 1);
  int number = -1;
  const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), number);
  if (error != std::errc() || end != port.data() + port.size() || number < 0 || number > 65535) {
    throw std::invalid_argument("'" + listen_address + "': port must be 0 to 65535");
  }
  if (host.empty()) return port;
  if (host.front() == '[' || host.find(':') != std::string::npos) {
    // Debian 12's civetweb is built without IPv6 (mg_check_feature(8) is 0).
    if (mg_check_feature(8) == 0) {
      throw std::invalid_argument("'" + listen_address +
                                  "': this build's HTTP server (civetweb) has no IPv6; listen on "
                                  "an IPv4 address or :port");
    }
    if (host.front() != '[') {
      throw std::invalid_argument("'" + listen_address + "': write IPv6 hosts as [::1]:port");
    }
  }
  return host + ":" + port;
}

}  // namespace ooe
