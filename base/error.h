// What went wrong when talking to a backend, as a value with fields: what was asked, of what,
// in which phase it failed and why, so each layer adds what it knows instead of formatting a
// line that the next one has to take apart.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ooe {

// Every member has a default, so a designated initializer names only what it knows.
struct Error {
  std::string operation{};  // "GET", "POST", "INFO", "query", "connect"
  std::string resource{};   // the URL, address or path asked, never with a secret
  // Where it failed, in blackbox_exporter's terms where they fit: resolve, connect, timeout, tls,
  // http_status, too_large, parse, auth, refused ...
  std::string phase{};
  long status = 0;       // the HTTP status, when an answer came
  std::string detail{};  // what went wrong, e.g. "no complete reply before the deadline"
  std::string hint{};    // what the operator can do about it, when known

  // One line: "GET http://rabbitmq:15672/api/overview: HTTP 401: check the user name".
  std::string ToString() const;
};

// Several errors as the one line a log shows: the first three, then how many more.
std::string JoinErrors(const std::vector<Error>& errors);

}  // namespace ooe
