#include "exporter/web.h"

#include <CivetServer.h>
#include <arpa/inet.h>
#include <malloc.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "base/log.h"
#include "exporter/listen_address.h"
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
    WriteAndClose(connection, 405, "Method Not Allowed", "Only GET and HEAD are allowed.\n");
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

  // For a request whose body we will not read: civetweb would otherwise keep the connection for
  // the next request and hold a worker while the client streams the body in.
  void WriteAndClose(mg_connection* connection, int status, std::string_view status_text,
                     std::string_view body) const {
    mg_disable_connection_keep_alive(connection);
    Write(connection, status, status_text, "text/plain; charset=utf-8", body,
          "Connection: close\r\n");
  }

 private:
  bool Handle(mg_connection* connection) {
    // No endpoint takes a body; refusing one before the password check costs no bcrypt round.
    const auto* request = mg_get_request_info(connection);
    if (request != nullptr && (request->content_length > 0 ||
                               mg_get_header(connection, "Transfer-Encoding") != nullptr)) {
      WriteAndClose(connection, 413, "Content Too Large", "Requests take no body.\n");
      return true;
    }
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
    {
      const auto body = scraper_.Scrape(deadline);
      Write(connection, 200, "OK", "text/plain; version=0.0.4; charset=utf-8", body);
    }
    malloc_trim(0);
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
  // A TLS connection waiting for its client's next byte then holds no read or write buffer.
  SSL_CTX_set_mode(context, SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_min_proto_version(context,
                                tls.min_version == "TLS13" ? TLS1_3_VERSION : TLS1_2_VERSION);
  if (const auto error = LoadTlsFiles(context, tls)) {
    Log(LogLevel::kError, "cannot load the TLS files",
        {{"key", "tls_server_config." + error->key}, {"err", error->problem}});
    return -1;
  }
  if (!tls.client_ca_file.empty()) {
    SSL_CTX_set_client_CA_list(context, SSL_load_client_CA_file(tls.client_ca_file.c_str()));
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
  SSL_CTX_set_verify(context, mode, check_chain ? nullptr : accept_any);
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

// Shuts down every connection the server accepted on `ports` (its listening sockets aside).
// civetweb's workers, like its master thread, look at the stop flag only between polls, and a
// slow client sends nothing in between: its worker would hold the stop that long, while a
// socket shut down ends the poll at once. The process's sockets are found in /proc/self/fd.
void ShutDownConnections(const std::vector<int>& ports) {
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", error)) {
    int fd = -1;
    const std::string name = entry.path().filename().string();
    if (std::from_chars(name.data(), name.data() + name.size(), fd).ec != std::errc()) continue;
    sockaddr_in local{};
    socklen_t length = sizeof local;
    int listening = 1;
    socklen_t option_length = sizeof listening;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) != 0 ||
        local.sin_family != AF_INET ||
        std::find(ports.begin(), ports.end(), ntohs(local.sin_port)) == ports.end() ||
        getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &option_length) != 0 ||
        listening != 0) {
      continue;
    }
    shutdown(fd, SHUT_RDWR);
  }
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

std::string LandingPage(const ExporterOptions& options) {
  std::string rows;
  for (const auto& collector : options.collectors) {
    rows += "<tr><td>" + EscapeHtml(collector.kind) + "</td><td>" + EscapeHtml(collector.target) +
            "</td><td>" + EscapeHtml(collector.collector->Describe()) + "</td></tr>\n";
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
  // civetweb gives every connection a worker thread of its own from the moment it is accepted,
  // while it reads the request's headers too: a client that sends them slowly, or stops in the
  // middle of a TLS handshake, holds a worker as long as it is let. Scrapes keep answering while
  // fewer such clients than workers are connected (README, Hardening), so the pool is sized
  // for hundreds of them (scrapes waiting for their collection hold workers as well), and
  // request_timeout_ms is civetweb's deadline for a whole request's headers and for the TLS
  // handshake, not for each byte: a client still sending them then is answered 400 and dropped.
  const std::vector<std::string> civet_options = {
      "listening_ports",
      port,
      "num_threads",
      // All started with the server, each serving one connection at a time: how many slow
      // clients the exporter holds while it still answers (what each costs idle: README).
      std::to_string(options.max_connections),
      "request_timeout_ms",
      "5000",
      // An idle kept-alive connection holds a worker too.
      "keep_alive_timeout_ms",
      "500",
      // Headers beyond it are answered 400 and the connection closed.
      "max_request_size",
      "16384",
      // A burst of connections past the accept queue loses SYNs, and a scrape caught in it waits
      // for the kernel's first SYN retransmission; the kernel caps it at net.core.somaxconn.
      "listen_backlog",
      "4096",
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
  // wake it, and a stop takes milliseconds instead of up to 2 s. Connections accepted until the
  // stop flag is seen are shut down so that their workers see it too.
  std::atomic<bool> closed = false;
  std::thread waker([this, &closed] {
    for (int attempt = 0; attempt < 50 && !closed; ++attempt) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      for (const int port : impl_->ports) ConnectAndClose(impl_->wake_address, port);
      ShutDownConnections(impl_->ports);
    }
  });
  impl_->server->close();
  closed = true;
  waker.join();
  impl_->server.reset();
}

}  // namespace ooe
