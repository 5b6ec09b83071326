// Pure parser of nginx's stub_status page (ngx_http_stub_status_module, open-source nginx).
#pragma once

#include <optional>
#include <string_view>

#include "base/parsed.h"

namespace ooe::nginx {

// The seven numbers stub_status writes. Every field is set on a parsed page; optional only so
// that the FieldMetric table maps them.
struct StubStatus {
  std::optional<double> active;    // client connections open now, waiting ones included
  std::optional<double> accepted;  // since nginx started (counter)
  std::optional<double> handled;   // accepted minus those refused at a resource limit
  std::optional<double> requests;  // client requests since nginx started
  std::optional<double> reading;   // reading a request header
  std::optional<double> writing;   // writing a response (or waiting for the upstream's)
  std::optional<double> waiting;   // idle keep-alive connections
};

// "Active connections: N \nserver accepts handled requests\n A H R \nReading: N Writing: N
// Waiting: N \n", as every nginx since 1.5 writes it; anything else is an error naming what is
// missing.
Parsed<StubStatus> ParseStubStatus(std::string_view text);

}  // namespace ooe::nginx
