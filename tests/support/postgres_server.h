// A real PostgreSQL cluster for a test: initdb into a temporary folder, postgres on a free
// 127.0.0.1 port (as the `postgres` user when the test runs as root), gone with the object.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tests/support/process.h"

namespace ooe::test {

class PostgresServer {
 public:
  // `settings` are extra `-c name=value` server settings ("ssl=on" ...). Over TCP the
  // `postgres` superuser is trusted; every other role logs in with a SCRAM password.
  explicit PostgresServer(std::vector<std::string> settings = {});
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  int Port() const { return port_; }
  // A libpq connection string for `user` on `database`.
  std::string Dsn(const std::string& user = "postgres",
                  const std::string& database = "postgres") const;
  // A folder the server's user can read (certificates, keys).
  const TempDir& Dir() const { return dir_; }
  // psql -At as the superuser; throws with psql's message when it fails.
  std::string Psql(const std::string& sql, const std::string& database = "postgres") const;
  void PsqlFile(const std::string& path, const std::string& database) const;

  // A fast shutdown (active sessions ended), then a start on the same port.
  void Restart();
  void Stop();
  void Start();
  // Every process of the server stopped (SIGSTOP) or continued: a stuck disk, as seen from a
  // client.
  void Pause();
  void Resume();

 private:
  std::vector<std::string> AsServerUser(std::vector<std::string> argv) const;

  TempDir dir_;
  int port_;
  std::vector<std::string> settings_;
  std::optional<Process> process_;
  bool paused_ = false;
};

}  // namespace ooe::test
