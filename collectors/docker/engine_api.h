// The Engine API (Docker, and Podman's compatible service) as the container sources see it:
// where it listens, the API version spoken with it, GETs that answer a body or an error value,
// and the host facts of /info. The transport is an interface, so the sources' decisions are
// tested on recorded replies without an engine.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/deadline.h"
#include "base/error.h"
#include "collectors/docker/parser.h"
#include "collectors/http/client.h"
#include "collectors/tls_config.h"

namespace ooe::docker {

// Where the engine listens: unix:///path, tcp://host:port (https when `tls`), http(s)://.
struct Endpoint {
  std::string host;         // as configured, for messages and the default target label
  std::string unix_socket;  // set for unix://
  std::string base_url;     // "http://localhost" for a socket, else the scheme://host:port
};

// Parses `host` (DOCKER_HOST syntax); nullopt with `error` set when malformed.
std::optional<Endpoint> ParseEndpoint(std::string_view host, bool tls, std::string& error);

// The newest Engine API version this collector speaks (one-shot stats need 1.41).
inline constexpr std::string_view kMaxApiVersion = "1.41";
// The oldest: /containers/ID/stats with online_cpus (1.27); older engines are refused.
inline constexpr std::string_view kMinApiVersion = "1.27";

// min(server, ours) as "major.minor"; nullopt when the server's version is older than ours.
// An empty or unparsable server version gives "" (unversioned paths: the server's own).
std::optional<std::string> NegotiateApiVersion(std::string_view server_version);

// GETs of paths on one engine, all in flight at once, answered in order.
class EngineTransport {
 public:
  virtual ~EngineTransport() = default;
  virtual std::vector<HttpResponse> GetAll(const std::vector<std::string>& paths,
                                           Clock::time_point deadline) = 0;
};

// The real one: the one HTTP client, over the engine's socket or tcp://.
class HttpEngineTransport final : public EngineTransport {
 public:
  HttpEngineTransport(Endpoint endpoint, TlsConfig tls, size_t max_body_bytes,
                      std::chrono::milliseconds timeout);
  std::vector<HttpResponse> GetAll(const std::vector<std::string>& paths,
                                   Clock::time_point deadline) override;

 private:
  Endpoint endpoint_;
  TlsConfig tls_;
  size_t max_body_bytes_;
  std::chrono::milliseconds timeout_;
  HttpClient http_;
};

// One checked answer: the body of a 2xx, or the error (status kept, 404 meaning "gone").
struct Reply {
  std::optional<std::string> body;
  long status = 0;
  Error error;
};

class EngineApi {
 public:
  EngineApi(Endpoint endpoint, std::unique_ptr<EngineTransport> transport);

  // Reads /version when no version is known (the first scrape, or after a failure); nullopt on
  // success.
  std::optional<Error> Negotiate(Clock::time_point deadline);
  // The engine may have been replaced by another version: negotiate again next scrape.
  void ForgetVersion() { version_.reset(); }
  const VersionInfo& Version() const { return *version_; }
  // "1.41", or "" when the engine's own (unversioned paths) is used.
  std::string ApiVersion() const { return prefix_.empty() ? "" : prefix_.substr(2); }
  // "/v1.41" or "": what every compatible path starts with.
  const std::string& Prefix() const { return prefix_; }

  std::vector<Reply> GetAll(const std::vector<std::string>& paths, Clock::time_point deadline);
  Reply Check(const std::string& path, const HttpResponse& response) const;
  // An error about a reply that came but is wrong (phase parse).
  Error ParseError(const std::string& path, std::string detail) const;

  // /info only adds the host's cores and memory, and is costly for Podman to answer: it is
  // read with the containers, and again only every few minutes.
  bool InfoDue() const;
  std::string InfoPath() const { return prefix_ + "/info"; }
  void TakeInfo(const Reply& reply);
  const std::optional<EngineInfo>& Info() const { return info_; }
  // The engine's clock minus ours in seconds, from the last /info's SystemTime (nullopt without
  // one). The reply is older than the moment it is taken, so this errs towards an engine behind.
  std::optional<double> ClockOffset() const { return clock_offset_; }
  // /info is read again in the next scrape (the engine's clock may have moved).
  void ExpireInfo() { info_expired_ = true; }

  const std::string& Host() const { return endpoint_.host; }

 private:
  Endpoint endpoint_;
  std::unique_ptr<EngineTransport> transport_;
  std::optional<VersionInfo> version_;
  std::string prefix_;
  std::optional<EngineInfo> info_;
  Clock::time_point info_read_at_;
  std::optional<double> clock_offset_;
  bool info_expired_ = false;
};

}  // namespace ooe::docker
