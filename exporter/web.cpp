#include "exporter/web.h"

#include <CivetServer.h>

#include <charconv>
#include <stdexcept>

#include "collectors/log.h"
#include "exporter/version.h"

namespace ooe {
namespace {

void WriteResponse(mg_connection* connection, int status, std::string_view status_text,
                   std::string_view content_type, std::string_view body) {
  // Headers and body in one write: two small writes meet Nagle and delayed ACKs (40 ms).
  std::string response = "HTTP/1.1 " + std::to_string(status) + " " + std::string(status_text) +
                         "\r\nContent-Type: " + std::string(content_type) +
                         "\r\nContent-Length: " + std::to_string(body.size()) +
                         "\r\nCache-Control: no-store\r\n\r\n";
  const auto* request = mg_get_request_info(connection);
  const bool head = request != nullptr && std::string_view(request->request_method) == "HEAD";
  if (!head) response.append(body);
  mg_write(connection, response.data(), response.size());
}

bool IsGetOrHead(mg_connection* connection) {
  const std::string_view method = mg_get_request_info(connection)->request_method;
  if (method == "GET" || method == "HEAD") return true;
  WriteResponse(connection, 405, "Method Not Allowed", "text/plain; charset=utf-8",
                "Only GET and HEAD are allowed.\n");
  return false;
}

class MetricsHandler final : public CivetHandler {
 public:
  MetricsHandler(Scraper& scraper, const ExporterOptions& options)
      : scraper_(scraper), options_(options) {}

  bool handleGet(CivetServer*, mg_connection* connection) override { return Serve(connection); }
  bool handleHead(CivetServer*, mg_connection* connection) override { return Serve(connection); }
  bool handlePost(CivetServer*, mg_connection* connection) override {
    return IsGetOrHead(connection);
  }

 private:
  bool Serve(mg_connection* connection) {
    const auto deadline =
        ScrapeDeadline(mg_get_header(connection, "X-Prometheus-Scrape-Timeout-Seconds"),
                       options_.timeout_offset, options_.scrape_timeout, Clock::now());
    const auto body = scraper_.Scrape(deadline);
    WriteResponse(connection, 200, "OK", "text/plain; version=0.0.4; charset=utf-8", body);
    return true;
  }

  Scraper& scraper_;
  const ExporterOptions& options_;
};

class FixedPageHandler final : public CivetHandler {
 public:
  FixedPageHandler(std::string content_type, std::string body)
      : content_type_(std::move(content_type)), body_(std::move(body)) {}
  bool handleGet(CivetServer*, mg_connection* connection) override { return Serve(connection); }
  bool handleHead(CivetServer*, mg_connection* connection) override { return Serve(connection); }

 private:
  bool Serve(mg_connection* connection) {
    WriteResponse(connection, 200, "OK", content_type_, body_);
    return true;
  }
  std::string content_type_;
  std::string body_;
};

std::string EscapeHtml(std::string_view text) {
  std::string escaped;
  for (const char c : text) {
    switch (c) {
      case '&':
        escaped += "&amp;";
        break;
      case '<':
        escaped += "&lt;";
        break;
      case '>':
        escaped += "&gt;";
        break;
      case '"':
        escaped += "&quot;";
        break;
      default:
        escaped.push_back(c);
    }
  }
  return escaped;
}

}  // namespace

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

std::string LandingPage(const ExporterOptions& options) {
  std::string rows;
  for (const auto& collector : options.collectors) {
    rows += "<tr><td>" + EscapeHtml(collector->Kind()) + "</td><td>" +
            EscapeHtml(collector->Target()) + "</td><td>" + EscapeHtml(collector->Describe()) +
            "</td></tr>\n";
  }
  if (rows.empty()) rows = "<tr><td colspan=\"3\">No targets configured.</td></tr>\n";
  const auto path = EscapeHtml(options.telemetry_path);
  return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>ONLYOFFICE Exporter"
         "</title><style>body{font-family:sans-serif;margin:2em}td,th{padding:.2em 1em;"
         "text-align:left}</style></head><body>\n<h1>ONLYOFFICE Exporter</h1>\n<p>" +
         EscapeHtml(VersionLine()) + "</p>\n<p><a href=\"" + path + "\">Metrics</a> &middot; " +
         "<a href=\"/-/healthy\">Health</a></p>\n<h2>Collectors</h2>\n<table><tr><th>collector"
         "</th><th>target</th><th>source</th></tr>\n" +
         rows + "</table>\n</body></html>\n";
}

struct WebServer::Impl {
  std::unique_ptr<CivetServer> server;
  std::unique_ptr<MetricsHandler> metrics;
  std::unique_ptr<FixedPageHandler> landing;
  std::unique_ptr<FixedPageHandler> healthy;
};

WebServer::WebServer(const ExporterOptions& options, Scraper& scraper)
    : impl_(std::make_unique<Impl>()) {
  const std::vector<std::string> civet_options = {
      "listening_ports",
      CivetListeningPort(options.listen_address),
      // Each scrape holds a worker until its deadline; leave room for many at once.
      "num_threads",
      "64",
      "request_timeout_ms",
      "300000",
      "enable_keep_alive",
      "yes",
      "decode_url",
      "yes",
      "tcp_nodelay",
      "1",
  };
  try {
    impl_->server = std::make_unique<CivetServer>(civet_options);
  } catch (const CivetException& error) {
    throw std::runtime_error("cannot listen on " + options.listen_address + ": " + error.what());
  }
  impl_->metrics = std::make_unique<MetricsHandler>(scraper, options);
  impl_->landing =
      std::make_unique<FixedPageHandler>("text/html; charset=utf-8", LandingPage(options));
  impl_->healthy = std::make_unique<FixedPageHandler>("text/plain; charset=utf-8", "Healthy\n");
  impl_->server->addHandler(options.telemetry_path + "$", impl_->metrics.get());
  impl_->server->addHandler("/$", impl_->landing.get());
  impl_->server->addHandler("/-/healthy$", impl_->healthy.get());
}

WebServer::~WebServer() { Stop(); }

std::vector<int> WebServer::ListeningPorts() const {
  return impl_->server ? impl_->server->getListeningPorts() : std::vector<int>{};
}

void WebServer::Stop() {
  if (impl_->server) impl_->server->close();
}

}  // namespace ooe
