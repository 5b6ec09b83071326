#include "tests/support/hostile_clients.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <vector>

namespace ooe::test {
namespace {

// Headers that never end: the last line stays open, and each trickled byte extends it.
constexpr std::string_view kPartialHeaders = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
// A TLS handshake record announcing a 512-byte ClientHello, and its first bytes.
constexpr std::string_view kPartialClientHello = "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03";

int ConnectNonBlocking(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 &&
      errno != EINPROGRESS) {
    close(fd);
    return -1;
  }
  return fd;
}

SSL_CTX* ClientContext() {
  // Verification is off by default for a client context: these clients trust any server.
  static SSL_CTX* const kContext = SSL_CTX_new(TLS_client_method());
  return kContext;
}

bool IsTls(SlowClientKind kind) {
  return kind == SlowClientKind::kTrickleTlsHeaders ||
         kind == SlowClientKind::kStopAfterClientHello;
}

}  // namespace

struct SlowClients::Client {
  enum class Phase { kIdle, kConnecting, kHandshake, kHolding };
  Phase phase = Phase::kIdle;
  int fd = -1;
  SSL* ssl = nullptr;
  Clock::time_point next;  // when to connect (kIdle) or send the next byte (kHolding)
};

SlowClients::SlowClients(int port, int count, SlowClientKind kind,
                         std::chrono::milliseconds interval)
    : port_(port), count_(count), kind_(kind), interval_(interval) {
  std::signal(SIGPIPE, SIG_IGN);  // a write to a connection the server closed
  if (IsTls(kind_) && ClientContext() == nullptr) throw std::runtime_error("no TLS context");
  thread_ = std::thread([this] { Run(); });
}

SlowClients::~SlowClients() {
  stop_ = true;
  thread_.join();
}

bool SlowClients::WaitHolding(int count, std::chrono::milliseconds timeout) const {
  const auto deadline = Clock::now() + timeout;
  while (Holding() < count) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

void SlowClients::Watch(size_t index, uint32_t events, int operation) {
  epoll_event event{};
  event.events = events | EPOLLRDHUP;
  event.data.u64 = index;
  epoll_ctl(epoll_, operation, clients_[index].fd, &event);
}

void SlowClients::Drop(size_t index, bool by_server) {
  Client& client = clients_[index];
  if (client.phase == Client::Phase::kHolding) --holding_;
  if (by_server) ++dropped_;
  if (client.ssl != nullptr) SSL_free(client.ssl);
  if (client.fd >= 0) close(client.fd);  // also leaves the epoll set
  client = Client{};
  client.next = Clock::now() + std::chrono::milliseconds(20);
}

void SlowClients::Hold(size_t index, std::string_view first_bytes) {
  Client& client = clients_[index];
  if (!first_bytes.empty()) {
    const int sent =
        client.ssl != nullptr
            ? SSL_write(client.ssl, first_bytes.data(), static_cast<int>(first_bytes.size()))
            : static_cast<int>(
                  send(client.fd, first_bytes.data(), first_bytes.size(), MSG_NOSIGNAL));
    if (sent != static_cast<int>(first_bytes.size())) return Drop(index, true);
  }
  client.phase = Client::Phase::kHolding;
  client.next = Clock::now() + interval_;
  ++holding_;
  Watch(index, 0, EPOLL_CTL_MOD);  // only the server's close matters now
}

bool SlowClients::Handshake(size_t index) {
  SSL* ssl = clients_[index].ssl;
  const int result = SSL_connect(ssl);
  const int error = SSL_get_error(ssl, result);
  if (result == 1) {
    Hold(index, kPartialHeaders);
  } else if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) {
    return false;
  } else if (kind_ == SlowClientKind::kStopAfterClientHello) {
    Hold(index, {});  // the ClientHello went out with the first call
  } else {
    Watch(index, error == SSL_ERROR_WANT_READ ? EPOLLIN : EPOLLOUT, EPOLL_CTL_MOD);
  }
  return true;
}

void SlowClients::Connected(size_t index) {
  Client& client = clients_[index];
  int error = 0;
  socklen_t length = sizeof error;
  getsockopt(client.fd, SOL_SOCKET, SO_ERROR, &error, &length);
  if (error != 0) return Drop(index, false);
  if (kind_ == SlowClientKind::kTrickleHeaders) return Hold(index, kPartialHeaders);
  if (kind_ == SlowClientKind::kTrickleClientHello) return Hold(index, kPartialClientHello);
  client.phase = Client::Phase::kHandshake;
  client.ssl = SSL_new(ClientContext());
  SSL_set_fd(client.ssl, client.fd);
  if (!Handshake(index)) Drop(index, true);
}

void SlowClients::Tick(size_t index, Clock::time_point now) {
  Client& client = clients_[index];
  if (now < client.next) return;
  if (client.phase == Client::Phase::kIdle) {
    client.fd = ConnectNonBlocking(port_);
    if (client.fd < 0) {
      client.next = now + std::chrono::milliseconds(100);
      return;
    }
    client.phase = Client::Phase::kConnecting;
    Watch(index, EPOLLOUT, EPOLL_CTL_ADD);
  } else if (client.phase == Client::Phase::kHolding &&
             kind_ != SlowClientKind::kStopAfterClientHello) {
    const char byte = kind_ == SlowClientKind::kTrickleClientHello ? '\0' : 'a';
    const int sent = client.ssl != nullptr
                         ? SSL_write(client.ssl, &byte, 1)
                         : static_cast<int>(send(client.fd, &byte, 1, MSG_NOSIGNAL));
    if (sent != 1) return Drop(index, true);
    client.next = now + interval_;
  }
}

void SlowClients::Run() {
  epoll_ = epoll_create1(EPOLL_CLOEXEC);
  clients_.resize(static_cast<size_t>(count_));
  std::vector<epoll_event> events(256);
  while (!stop_) {
    const int ready = epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), 20);
    for (int i = 0; i < ready; ++i) {
      const size_t index = events[static_cast<size_t>(i)].data.u64;
      const Client::Phase phase = clients_[index].phase;
      if (phase == Client::Phase::kConnecting) {
        Connected(index);
      } else if ((events[static_cast<size_t>(i)].events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) !=
                 0) {
        Drop(index, true);
      } else if (phase == Client::Phase::kHandshake && !Handshake(index)) {
        Drop(index, true);
      }
    }
    const auto now = Clock::now();
    for (size_t index = 0; index < clients_.size(); ++index) Tick(index, now);
  }
  for (size_t index = 0; index < clients_.size(); ++index) Drop(index, false);
  close(epoll_);
}

int OpenAndDrop(int port, int count) {
  std::vector<pollfd> sockets;
  for (int i = 0; i < count; ++i) {
    const int fd = ConnectNonBlocking(port);
    if (fd >= 0) sockets.push_back({fd, POLLOUT, 0});
  }
  int established = 0;
  const auto deadline = Clock::now() + std::chrono::seconds(5);
  std::vector<bool> done(sockets.size(), false);
  while (established < static_cast<int>(sockets.size()) && Clock::now() < deadline) {
    if (poll(sockets.data(), sockets.size(), 50) <= 0) continue;
    for (size_t i = 0; i < sockets.size(); ++i) {
      if (done[i] || sockets[i].revents == 0) continue;
      done[i] = true;
      sockets[i].events = 0;
      int error = 0;
      socklen_t length = sizeof error;
      getsockopt(sockets[i].fd, SOL_SOCKET, SO_ERROR, &error, &length);
      established += error == 0 ? 1 : 0;
    }
  }
  for (const auto& socket_fd : sockets) close(socket_fd.fd);
  return established;
}

namespace {

// A blocking connection whose reads and writes give up after a short wait, so one loop can
// alternate between them; TLS when asked.
class RawConnection {
 public:
  RawConnection(int port, bool tls, Clock::time_point deadline) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<uint16_t>(port));
    if (connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) return;
    const timeval wait{0, 50'000};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
    setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &wait, sizeof wait);
    connected_ = true;
    if (!tls) return;
    ssl_ = SSL_new(ClientContext());
    SSL_set_fd(ssl_, fd_);
    while (Clock::now() < deadline) {
      const int result = SSL_connect(ssl_);
      if (result == 1) return;
      const int error = SSL_get_error(ssl_, result);
      if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) break;
    }
    connected_ = false;
  }
  ~RawConnection() {
    if (ssl_ != nullptr) SSL_free(ssl_);
    if (fd_ >= 0) close(fd_);
  }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool Connected() const { return connected_; }
  // Bytes moved, 0 when the wait ran out, -1 when the connection is closed or reset.
  long Send(const char* data, size_t size) { return Io(data, size, true); }
  long Receive(char* data, size_t size) { return Io(data, size, false); }

 private:
  long Io(const char* data, size_t size, bool sending) {
    if (ssl_ != nullptr) {
      const int count = static_cast<int>(std::min<size_t>(size, 1 << 20));
      const int result =
          sending ? SSL_write(ssl_, data, count) : SSL_read(ssl_, const_cast<char*>(data), count);
      if (result > 0) return result;
      const int error = SSL_get_error(ssl_, result);
      return error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE ? 0 : -1;
    }
    const ssize_t result =
        sending ? send(fd_, data, size, MSG_NOSIGNAL) : recv(fd_, const_cast<char*>(data), size, 0);
    if (result > 0) return result;
    if (result < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return 0;
    return -1;
  }

  int fd_ = -1;
  SSL* ssl_ = nullptr;
  bool connected_ = false;
};

}  // namespace

RawReply SendRaw(int port, bool tls, const std::string& request, size_t body_bytes,
                 std::chrono::milliseconds timeout) {
  std::signal(SIGPIPE, SIG_IGN);
  const auto started = Clock::now();
  const auto deadline = started + timeout;
  RawReply reply;
  RawConnection connection(port, tls, deadline);
  if (!connection.Connected()) return reply;
  const std::string body_chunk(size_t{64} << 10, 'x');
  std::string received;
  size_t request_sent = 0;
  char buffer[16384];
  while (!reply.closed && Clock::now() < deadline) {
    long sent = 0;
    if (request_sent < request.size()) {
      sent = connection.Send(request.data() + request_sent,
                             std::min(body_chunk.size(), request.size() - request_sent));
      request_sent += static_cast<size_t>(std::max(sent, 0L));
    } else if (reply.body_sent < body_bytes) {
      sent = connection.Send(body_chunk.data(),
                             std::min(body_chunk.size(), body_bytes - reply.body_sent));
      reply.body_sent += static_cast<size_t>(std::max(sent, 0L));
    }
    // Whatever the server already sent is read before a reset ends the connection.
    long got = 0;
    while ((got = connection.Receive(buffer, sizeof buffer)) > 0) {
      if (received.size() < 4096) received.append(buffer, static_cast<size_t>(got));
    }
    reply.closed = sent < 0 || got < 0;
  }
  reply.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  if (received.rfind("HTTP/1.", 0) == 0 && received.size() >= 12) {
    reply.status = std::stoi(received.substr(9, 3));
  }
  return reply;
}

long ResidentKib(int pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string key;
  while (status >> key) {
    if (key == "VmRSS:") {
      long kib = 0;
      status >> kib;
      return kib;
    }
  }
  return -1;
}

int OpenSockets(int pid) {
  int sockets = 0;
  std::error_code error;
  for (const auto& entry :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", error)) {
    const auto target = std::filesystem::read_symlink(entry.path(), error);
    if (!error && target.string().rfind("socket:", 0) == 0) ++sockets;
  }
  return sockets;
}

long RaiseFileLimit() {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
  return static_cast<long>(limit.rlim_cur);
}

}  // namespace ooe::test
