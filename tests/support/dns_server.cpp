#include "tests/support/dns_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <stdexcept>

namespace ooe::test {
namespace {

constexpr uint16_t kTypeA = 1;
constexpr uint32_t kTtlSeconds = 1;

void Put16(std::string& out, uint16_t value) {
  out.push_back(static_cast<char>(value >> 8));
  out.push_back(static_cast<char>(value & 0xff));
}

}  // namespace

DnsServer::DnsServer() {
  fd_ = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw std::runtime_error("DnsServer: cannot bind a UDP socket on 127.0.0.1");
  }
  port_ = ntohs(address.sin_port);
  thread_ = std::thread([this] { Serve(); });
}

DnsServer::~DnsServer() {
  stop_ = true;
  thread_.join();
  close(fd_);
}

void DnsServer::Set(const std::string& name, const std::string& address) {
  const std::lock_guard lock(mutex_);
  if (address.empty()) {
    addresses_.erase(name);
  } else {
    addresses_[name] = address;
  }
}

void DnsServer::Serve() {
  char buffer[512];
  while (!stop_) {
    pollfd readable{fd_, POLLIN, 0};
    if (poll(&readable, 1, 50) <= 0) continue;
    sockaddr_in from{};
    socklen_t length = sizeof from;
    const ssize_t got =
        recvfrom(fd_, buffer, sizeof buffer, 0, reinterpret_cast<sockaddr*>(&from), &length);
    if (got < 12) continue;
    ++queries_;
    const std::string reply = Answer(std::string(buffer, static_cast<size_t>(got)));
    if (!reply.empty()) {
      sendto(fd_, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from), length);
    }
  }
}

// One question in, one answer out: an A record for a known name, no record for its other types
// (AAAA), NXDOMAIN for a name not known.
std::string DnsServer::Answer(const std::string& query) {
  std::string name;
  size_t at = 12;
  while (at < query.size() && query[at] != 0) {
    const size_t label = static_cast<unsigned char>(query[at]);
    if (label > 63 || at + 1 + label > query.size()) return "";
    if (!name.empty()) name.push_back('.');
    for (size_t i = 0; i < label; ++i) {
      name.push_back(
          static_cast<char>(std::tolower(static_cast<unsigned char>(query[at + 1 + i]))));
    }
    at += 1 + label;
  }
  if (at + 5 > query.size()) return "";
  const size_t question_end = at + 5;
  const uint16_t type = static_cast<uint16_t>((static_cast<unsigned char>(query[at + 1]) << 8) |
                                              static_cast<unsigned char>(query[at + 2]));
  std::string address;
  {
    const std::lock_guard lock(mutex_);
    if (const auto found = addresses_.find(name); found != addresses_.end())
      address = found->second;
  }
  in_addr ipv4{};
  const bool answer =
      type == kTypeA && !address.empty() && inet_pton(AF_INET, address.c_str(), &ipv4) == 1;
  std::string reply = query.substr(0, 2);           // the query's id
  Put16(reply, address.empty() ? 0x8183 : 0x8180);  // a response; NXDOMAIN or no error
  Put16(reply, 1);                                  // the question
  Put16(reply, answer ? 1 : 0);
  Put16(reply, 0);
  Put16(reply, 0);
  reply.append(query, 12, question_end - 12);
  if (answer) {
    Put16(reply, 0xc00c);  // the name, as in the question
    Put16(reply, kTypeA);
    Put16(reply, 1);  // IN
    Put16(reply, 0);
    Put16(reply, kTtlSeconds);
    Put16(reply, 4);
    reply.append(reinterpret_cast<const char*>(&ipv4.s_addr), 4);
  }
  return reply;
}

}  // namespace ooe::test
