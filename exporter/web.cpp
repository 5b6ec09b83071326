#include "exporter/web.h"

#include <CivetServer.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "collectors/log.h"
#include "collectors/openssl_library.h"
#include "exporter/version.h"

namespace ooe {
namespace {

// What every endpoint shares: basic auth, the configured extra headers, one write per answer.
class Endpoint : public CivetHandler {
 public:
  Endpoint(BasicAuthenticator& authenticator, const WebConfig& web)
      : authenticator_(authenticator), web_(web) {}

  bool handleGet(CivetServer*, mg_connection* connection) override { return Handle(connection); }
  bool handleHead(CivetServer*, mg_connection* connection) override { return Handle(connection); }
  bool handlePost(CivetServer*, mg_connection* connection) override {
    Write(connection, 405, "Method Not Allowed", "text/plain; charset=utf-8",
          "Only GET and HEAD are allowed.\n");
    return true;
  }

 protected:
  virtual void Serve(mg_connection* connection) = 0;

  void Write(mg_connection* connection, int status, std::string_view status_text,
             std::string_view content_type, std::string_view body,
             std::string_view extra_headers = {}) const {
    // Headers and body in one write: two small writes meet Nagle and delayed ACKs (40 ms).
    std::string response = "HTTP/1.1 " + std::to_string(status) + " ";
    response.append(status_text).append("\r\nContent-Type: ").append(content_type);
    response.append("\r\nContent-Length: ").append(std::to_string(body.size()));
    response.append("\r\nCache-Control: no-store\r\n");
    for (const auto& [name, value] : web_.headers) {
      response.append(name).append(": ").append(value).append("\r\n");
    }
    response.append(extra_headers);
    response += "\r\n";
    const auto* request = mg_get_request_info(connection);
    const bool head = request != nullptr && std::string_view(request->request_method) == "HEAD";
    if (!head) response.append(body);
    mg_write(connection, response.data(), response.size());
  }

 private:
  bool Handle(mg_connection* connection) {
    if (!authenticator_.Allows(mg_get_header(connection, "Authorization"))) {
      Write(connection, 401, "Unauthorized", "text/plain; charset=utf-8", "Unauthorized\n",
            "WWW-Authenticate: Basic realm=\"onlyoffice-exporter\"\r\n");
      return true;
    }
    Serve(connection);
    return true;
  }

  BasicAuthenticator& authenticator_;
  const WebConfig& web_;
};

class MetricsEndpoint final : public Endpoint {
 public:
  MetricsEndpoint(BasicAuthenticator& authenticator, const ExporterOptions& options,
                  Scraper& scraper)
      : Endpoint(authenticator, options.web_config), scraper_(scraper), options_(options) {}

 private:
  void Serve(mg_connection* connection) override {
    const auto deadline =
        ScrapeDeadline(mg_get_header(connection, "X-Prometheus-Scrape-Timeout-Seconds"),
                       options_.timeout_offset, options_.scrape_timeout, Clock::now());
    const auto body = scraper_.Scrape(deadline);
    Write(connection, 200, "OK", "text/plain; version=0.0.4; charset=utf-8", body);
  }

  Scraper& scraper_;
  const ExporterOptions& options_;
};

class FixedPageEndpoint final : public Endpoint {
 public:
  FixedPageEndpoint(BasicAuthenticator& authenticator, const WebConfig& web,
                    std::string content_type, std::string body)
      : Endpoint(authenticator, web),
        content_type_(std::move(content_type)),
        body_(std::move(body)) {}

 private:
  void Serve(mg_connection* connection) override {
    Write(connection, 200, "OK", content_type_, body_);
  }
  std::string content_type_;
  std::string body_;
};

// civetweb asks for its SSL_CTX through a callback with no context of ours, hence a pointer
// that lives while the server does.
const TlsServerConfig* g_tls_config = nullptr;

// CivetServer's constructor starts listening and serving, and handlers can only be added after
// it returns: a request in between got civetweb's 404 (3 first requests in 30 starts under
// asan). Every request waits here, before civetweb looks for its handler, until they are added.
std::atomic<bool> g_handlers_added{false};

int WaitForHandlers(mg_connection*) {
  for (int waited_ms = 0; !g_handlers_added.load() && waited_ms < 5'000; ++waited_ms) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return 0;  // civetweb goes on to the handler
}

// civetweb creates the SSL_CTX (it loads OpenSSL itself) and hands it here to be set up.
int ConfigureSslContext(void* ssl_context, void*) {
  auto* context = static_cast<SSL_CTX*>(ssl_context);
  const TlsServerConfig& tls = *g_tls_config;
  OpenSsl().CtxSetMinProtoVersion(context,
                                  tls.min_version == "TLS13" ? TLS1_3_VERSION : TLS1_2_VERSION);
  if (const auto error = LoadTlsFiles(context, tls)) {
    Log(LogLevel::kError, "cannot load the TLS files",
        {{"key", "tls_server_config." + error->key}, {"err", error->problem}});
    return -1;
  }
  if (!tls.client_ca_file.empty()) {
    OpenSsl().ctx_set_client_ca_list(context,
                                     OpenSsl().load_client_ca_file(tls.client_ca_file.c_str()));
  }
  const std::string& type = tls.client_auth_type;
  int mode = SSL_VERIFY_NONE;
  if (type == "RequestClientCert" || type == "VerifyClientCertIfGiven") mode = SSL_VERIFY_PEER;
  if (type == "RequireAnyClientCert" || type == "RequireAndVerifyClientCert") {
    mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
  }
  // "Any" and "Request" accept a certificate without checking it against the CA.
  const bool check_chain = type.find("Verify") != std::string::npos;
  SSL_verify_cb accept_any = [](int, X509_STORE_CTX*) { return 1; };
  OpenSsl().ctx_set_verify(context, mode, check_chain ? nullptr : accept_any);
  return 1;
}

void ConnectAndClose(in_addr address, int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  sockaddr_in target{};
  target.sin_family = AF_INET;
  target.sin_addr = address;
  target.sin_port = htons(static_cast<uint16_t>(port));
  // Whether it connects does not matter: either it wakes civetweb or civetweb has gone.
  static_cast<void>(connect(fd, reinterpret_cast<const sockaddr*>(&target), sizeof target));
  close(fd);
}

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
  std::unique_ptr<BasicAuthenticator> authenticator;
  std::unique_ptr<CivetServer> server;
  std::vector<std::unique_ptr<Endpoint>> endpoints;
  std::vector<int> ports;  // bound, as civetweb reports them
  in_addr wake_address{};  // where Stop() connects to wake civetweb
};

WebServer::WebServer(const ExporterOptions& options, Scraper& scraper)
    : impl_(std::make_unique<Impl>()) {
  const WebConfig& web = options.web_config;
  impl_->authenticator = std::make_unique<BasicAuthenticator>(web.basic_auth_users);
  std::string port = CivetListeningPort(options.listen_address);
  CivetCallbacks callbacks;
  g_handlers_added = false;
  callbacks.begin_request = &WaitForHandlers;
  if (web.tls_enabled) {
    port += "s";
    g_tls_config = &web.tls;
    callbacks.init_ssl = &ConfigureSslContext;
  }
  const std::vector<std::string> civet_options = {
      "listening_ports",
      port,
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
    impl_->server = std::make_unique<CivetServer>(civet_options, &callbacks);
  } catch (const CivetException& error) {
    throw std::runtime_error("cannot listen on " + options.listen_address + ": " + error.what());
  }
  impl_->ports = impl_->server->getListeningPorts();
  // The listen address's IPv4 host, or loopback for ":port" and 0.0.0.0.
  const std::string host = options.listen_address.substr(0, options.listen_address.rfind(':'));
  impl_->wake_address.s_addr = htonl(INADDR_LOOPBACK);
  if (in_addr parsed{};
      inet_pton(AF_INET, host.c_str(), &parsed) == 1 && parsed.s_addr != htonl(INADDR_ANY)) {
    impl_->wake_address = parsed;
  }
  auto& authenticator = *impl_->authenticator;
  auto add = [&](const std::string& uri, std::unique_ptr<Endpoint> endpoint) {
    impl_->server->addHandler(uri, endpoint.get());
    impl_->endpoints.push_back(std::move(endpoint));
  };
  add(options.telemetry_path + "$",
      std::make_unique<MetricsEndpoint>(authenticator, options, scraper));
  add("/$", std::make_unique<FixedPageEndpoint>(authenticator, web, "text/html; charset=utf-8",
                                                LandingPage(options)));
  add("/-/healthy$", std::make_unique<FixedPageEndpoint>(authenticator, web,
                                                         "text/plain; charset=utf-8", "Healthy\n"));
  g_handlers_added = true;
}

WebServer::~WebServer() { Stop(); }

std::vector<int> WebServer::ListeningPorts() const { return impl_->ports; }

void WebServer::Stop() {
  if (!impl_->server) return;
  // civetweb's master thread looks at its stop flag only between polls of the listening
  // sockets, every 2 s: connections of our own (closed at once, so no worker waits on them)
  // wake it, and a stop takes milliseconds instead of up to 2 s.
  std::atomic<bool> closed = false;
  std::thread waker([this, &closed] {
    for (int attempt = 0; attempt < 50 && !closed; ++attempt) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      for (const int port : impl_->ports) ConnectAndClose(impl_->wake_address, port);
    }
  });
  impl_->server->close();
  closed = true;
  waker.join();
  impl_->server.reset();
}

}  // namespace ooe
