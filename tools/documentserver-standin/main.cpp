// documentserver-standin: plays DocService (Document Server's Node.js service, port 8000) for
// tests, the quick start and benchmarks, where no Document Server image can run. It answers with
// the real DocService replies captured in fixtures/documentserver/<version>/, checks JWTs as
// DocService does, and can be made unhealthy, slow or hung through /control/mode, which nginx
// does not proxy; /control/connections sets the editor connections info.json reports.
//
//   documentserver-standin --listen 127.0.0.1:8000 --fixtures DIR [--jwt-secret-file FILE]
//                          [--mode healthy|unhealthy|hang|slow:MS] [--log-file OUT_LOG]
#include <CivetServer.h>

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>

#include "collectors/documentserver/jwt.h"

namespace {

namespace ds = ooe::documentserver;

std::optional<std::string> ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

struct Mode {
  std::string name = "healthy";  // healthy, unhealthy, hang, slow
  int delay_ms = 0;              // slow:MS
};

std::optional<Mode> ParseMode(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  Mode mode;
  if (text == "healthy" || text == "unhealthy" || text == "hang") {
    mode.name = text;
    return mode;
  }
  if (text.starts_with("slow:")) {
    try {
      mode.name = "slow";
      mode.delay_ms = std::stoi(text.substr(5));
      if (mode.delay_ms >= 0) return mode;
    } catch (const std::exception&) {
    }
  }
  return std::nullopt;
}

// docservice/out.log as DocService 9.x writes it (log4js: local time, WARN and above, the
// tenant, document and user fields), for the exporter's log reading: the start-up line and each
// token rejected, in the words DocService uses (../shared/fixtures/documentserver/logs/).
class OutLog {
 public:
  bool Open(const std::string& path) {
    file_.open(path, std::ios::app);
    return file_.is_open();
  }
  void Warn(const std::string& message) {
    const std::lock_guard lock(mutex_);
    if (!file_.is_open()) return;
    const auto now = std::chrono::system_clock::now();
    const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
    std::tm local{};
    localtime_r(&seconds, &local);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &local);
    const auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() %
        1000;
    char line_start[64];
    std::snprintf(line_start, sizeof line_start, "[%s.%03d] [WARN] ", stamp,
                  static_cast<int>(millis));
    file_ << line_start << "[localhost] [docId] [userId] nodeJS - " << message << "\n"
          << std::flush;
  }

 private:
  std::mutex mutex_;
  std::ofstream file_;
};

class Standin : public CivetHandler {
 public:
  Standin(std::filesystem::path fixtures, std::optional<std::string> secret, Mode mode, OutLog& log)
      : fixtures_(std::move(fixtures)),
        secret_(std::move(secret)),
        mode_(std::move(mode)),
        log_(log) {}

  bool handleGet(CivetServer*, mg_connection* connection) override {
    const std::string uri = mg_get_request_info(connection)->local_uri;
    if (uri == "/healthcheck") return Healthcheck(connection);
    if (uri == "/info/info.json") return Info(connection);
    if (uri == "/index.html") return Fixture(connection, "index", "text/plain");
    if (uri == "/coauthoring/CommandService.ashx") {
      return Reply(connection, 200, "application/json", R"({"error":1})");
    }
    if (uri == "/control/mode") return Reply(connection, 200, "text/plain", CurrentMode() + "\n");
    return Reply(connection, 404, "text/plain", "Not Found\n");
  }

  bool handlePost(CivetServer*, mg_connection* connection) override {
    const std::string uri = mg_get_request_info(connection)->local_uri;
    const std::string body = ReadBody(connection);
    if (uri == "/coauthoring/CommandService.ashx") return Command(connection, body);
    if (uri == "/control/connections") {
      // Editors connected, as info.json's quota reports them (the drill fills the license).
      try {
        const int connections = std::stoi(body);
        if (connections < 0) throw std::invalid_argument("negative");
        const std::lock_guard lock(mutex_);
        connections_ = connections;
      } catch (const std::exception&) {
        return Reply(connection, 400, "text/plain", "a number of editor connections\n");
      }
      return Reply(connection, 200, "text/plain", body);
    }
    if (uri == "/control/mode") {
      const auto mode = ParseMode(body);
      if (!mode)
        return Reply(connection, 400, "text/plain", "modes: healthy unhealthy hang slow:MS\n");
      {
        const std::lock_guard lock(mutex_);
        mode_ = *mode;
      }
      changed_.notify_all();  // a hung /healthcheck ends when the mode changes
      return Reply(connection, 200, "text/plain", CurrentMode() + "\n");
    }
    return Reply(connection, 404, "text/plain", "Not Found\n");
  }

  bool handlePut(CivetServer* server, mg_connection* connection) override {
    return handlePost(server, connection);
  }

 private:
  std::string CurrentMode() {
    const std::lock_guard lock(mutex_);
    return mode_.name == "slow" ? "slow:" + std::to_string(mode_.delay_ms) : mode_.name;
  }

  static std::string ReadBody(mg_connection* connection) {
    std::string body;
    char buffer[4096];
    int read = 0;
    while ((read = mg_read(connection, buffer, sizeof(buffer))) > 0) body.append(buffer, read);
    return body;
  }

  bool Fixture(mg_connection* connection, const std::string& name, std::string_view type) {
    const auto body = ReadFile(fixtures_ / (name + ".body"));
    if (!body) return Reply(connection, 500, "text/plain", "missing fixture " + name + "\n");
    return Reply(connection, 200, type, *body);
  }

  static bool Reply(mg_connection* connection, int status, std::string_view type,
                    const std::string& body) {
    const std::string head = "HTTP/1.1 " + std::to_string(status) + " " +
                             mg_get_response_code_text(connection, status) +
                             "\r\nContent-Type: " + std::string(type) +
                             "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n";
    mg_write(connection, head.data(), head.size());
    mg_write(connection, body.data(), body.size());
    return true;
  }

  // info.json as captured, with the editor connections set through /control/connections (7.2+
  // reports them in quota.edit, 7.0-7.1 in quota.editorConnectionsCount).
  bool Info(mg_connection* connection) {
    std::optional<int> connections;
    {
      const std::lock_guard lock(mutex_);
      connections = connections_;
    }
    if (!connections) return Fixture(connection, "info-json", "application/json");
    const auto body = ReadFile(fixtures_ / "info-json.body");
    auto info = nlohmann::json::parse(body.value_or(""), nullptr, false);
    if (!info.is_object() || !info.contains("quota")) {
      return Reply(connection, 500, "text/plain", "no info-json fixture with a quota\n");
    }
    auto& quota = info["quota"];
    if (quota.contains("edit")) {
      quota["edit"]["connectionsCount"] = *connections;
    } else {
      quota["editorConnectionsCount"] = *connections;
    }
    return Reply(connection, 200, "application/json", info.dump());
  }

  bool Healthcheck(mg_connection* connection) {
    std::unique_lock lock(mutex_);
    if (mode_.name == "hang") {
      // As with a stopped database: no byte at all until it recovers.
      changed_.wait_for(lock, std::chrono::minutes(5), [&] { return mode_.name != "hang"; });
    }
    if (mode_.name == "slow") {
      // Slow until the mode changes: a recovery ends the requests already waiting too.
      changed_.wait_for(lock, std::chrono::milliseconds(mode_.delay_ms),
                        [&] { return mode_.name != "slow"; });
    }
    const Mode mode = mode_;
    lock.unlock();
    return Fixture(connection,
                   mode.name == "unhealthy" ? "healthcheck-rabbitmq-down" : "healthcheck-ok",
                   "text/plain; charset=utf-8");
  }

  bool Command(mg_connection* connection, const std::string& body) {
    const auto request = nlohmann::json::parse(body, nullptr, false);
    if (!request.is_object())
      return Fixture(connection, "command-garbage-nojwt", "application/json");
    nlohmann::json command = request;
    if (secret_) {
      // DocService takes the token from the header (claims under "payload") or from the body.
      std::string token;
      bool from_header = false;
      if (const char* header = mg_get_header(connection, "Authorization")) {
        const std::string value = header;
        if (value.starts_with("Bearer ")) {
          token = value.substr(7);
          from_header = true;
        }
      }
      if (token.empty() && request.contains("token") && request["token"].is_string()) {
        token = request["token"].get<std::string>();
      }
      if (token.empty())
        return Fixture(connection, "command-version-jwt-missing", "application/json");
      nlohmann::json claims;
      const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
      switch (ds::CheckHs256(token, *secret_, now, &claims)) {
        case ds::TokenCheck::kInvalid:
          log_.Warn("checkJwt error: name = JsonWebTokenError message = invalid signature");
          return Fixture(connection, "command-version-jwt-wrong-secret", "application/json");
        case ds::TokenCheck::kExpired:
          log_.Warn("checkJwt error: name = TokenExpiredError message = jwt expired");
          return Fixture(connection, "command-version-jwt-expired", "application/json");
        case ds::TokenCheck::kValid:
          break;
      }
      command = from_header ? claims.value("payload", nlohmann::json::object()) : claims;
    }
    const std::string name = command.is_object() ? command.value("c", "") : "";
    if (name == "version") return Fixture(connection, "command-version-nojwt", "application/json");
    if (name == "license") return Fixture(connection, "command-license-nojwt", "application/json");
    return Reply(connection, 200, "application/json", R"({"error":1})");
  }

  std::filesystem::path fixtures_;
  std::optional<std::string> secret_;
  std::mutex mutex_;
  std::condition_variable changed_;
  Mode mode_;
  std::optional<int> connections_;  // unset: info.json as captured
  OutLog& log_;
};

[[noreturn]] void Usage(const std::string& problem) {
  std::cerr << "documentserver-standin: " << problem
            << "\nusage: documentserver-standin --listen HOST:PORT --fixtures DIR "
               "[--jwt-secret-file FILE] [--mode healthy|unhealthy|hang|slow:MS] "
               "[--log-file OUT_LOG]\n";
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  std::string listen;
  std::filesystem::path fixtures;
  std::optional<std::string> secret;
  Mode mode;
  static OutLog log;  // outlives the server's threads, which std::_Exit does not stop
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) Usage(flag + ": needs a value");
    const std::string value = argv[++i];
    if (flag == "--listen") {
      listen = value;
    } else if (flag == "--fixtures") {
      fixtures = value;
    } else if (flag == "--jwt-secret-file") {
      secret = ReadFile(value);
      if (!secret) Usage("--jwt-secret-file: cannot read " + value);
      while (!secret->empty() && secret->back() == '\n') secret->pop_back();
    } else if (flag == "--log-file") {
      if (!log.Open(value)) Usage("--log-file: cannot open " + value);
    } else if (flag == "--mode") {
      const auto parsed = ParseMode(value);
      if (!parsed) Usage("--mode: '" + value + "' is not a mode");
      mode = *parsed;
    } else {
      Usage("unknown flag " + flag);
    }
  }
  if (listen.empty()) Usage("--listen is required");
  if (!std::filesystem::exists(fixtures / "healthcheck-ok.body")) {
    Usage("--fixtures: " + fixtures.string() + " holds no healthcheck-ok.body");
  }

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  mg_init_library(0);
  Standin standin(fixtures, secret, mode, log);
  try {
    CivetServer server(
        {"listening_ports", listen, "num_threads", "256", "enable_keep_alive", "yes",
         // As Node.js (DocService) does: without it, a reply written in two pieces waits for
         // the client's delayed ACK, 40 ms per request on a kept-alive connection.
         "tcp_nodelay", "1"});
    server.addHandler("/", standin);
    log.Warn("Express server listening on port " + listen.substr(listen.rfind(':') + 1) +
             " (documentserver-standin)");
    std::cerr << "documentserver-standin: listening on " << listen << ", fixtures " << fixtures
              << (secret ? ", JWT on" : ", JWT off") << "\n";
    int received = 0;
    sigwait(&signals, &received);
    std::_Exit(0);  // a hung /healthcheck would otherwise hold the shutdown for minutes
  } catch (const CivetException& error) {
    std::cerr << "documentserver-standin: " << listen << ": " << error.what() << "\n";
    return 1;
  }
}
