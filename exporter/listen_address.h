// --web.listen-address in civetweb's terms: checked when the flags are read, used when the server
// starts.
#pragma once

#include <string>

namespace ooe {

// ":10981" -> "10981", "127.0.0.1:10981" as is, "[::1]:10981" as is: civetweb's
// listening_ports syntax for a Prometheus-style listen address. Throws std::invalid_argument.
std::string CivetListeningPort(const std::string& listen_address);

}  // namespace ooe
