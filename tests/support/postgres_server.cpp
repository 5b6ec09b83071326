#include "tests/support/postgres_server.h"

#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>
#include <thread>

namespace ooe::test {
namespace {

std::string BinaryDirectory() {
  for (const char* version : {"15", "16", "17", "14", "13"}) {
    const std::string dir = std::string("/usr/lib/postgresql/") + version + "/bin";
    if (std::filesystem::exists(dir + "/postgres")) return dir;
  }
  throw std::runtime_error("no PostgreSQL server in /usr/lib/postgresql/*/bin (Debian postgresql)");
}

// PostgreSQL refuses to run as root; its files must belong to the user it runs as.
void GiveToServerUser(const std::filesystem::path& path) {
  if (geteuid() != 0) return;
  const passwd* user = getpwnam("postgres");
  if (user == nullptr) throw std::runtime_error("running as root, but there is no postgres user");
  for (const auto& entry : std::filesystem::recursive_directory_iterator(path)) {
    if (chown(entry.path().c_str(), user->pw_uid, user->pw_gid) != 0) {
      throw std::runtime_error("cannot chown " + entry.path().string());
    }
  }
  if (chown(path.c_str(), user->pw_uid, user->pw_gid) != 0) {
    throw std::runtime_error("cannot chown " + path.string());
  }
}

// The postmaster and its children: each child of PostgreSQL is its own process group
// (setsid() in InitPostmasterChild), so a signal to the postmaster's group reaches none of them.
std::vector<pid_t> ServerProcesses(pid_t postmaster) {
  std::vector<pid_t> pids = {postmaster};
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const auto name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const auto status = ReadFile(entry.path() / "status");
    const auto at = status.find("\nPPid:\t");
    if (at != std::string::npos && std::stoi(status.substr(at + 7)) == postmaster) {
      pids.push_back(std::stoi(name));
    }
  }
  return pids;
}

}  // namespace

PostgresServer::PostgresServer(std::vector<std::string> settings)
    : port_(FreePort()), settings_(std::move(settings)) {
  std::filesystem::create_directory(dir_ / "data");
  GiveToServerUser(dir_.Path());
  int exit_code = -1;
  std::string errors;
  const auto output = RunCommand(
      AsServerUser({BinaryDirectory() + "/initdb", "-D", (dir_ / "data").string(), "-U", "postgres",
                    "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"}),
      &exit_code, &errors);
  if (exit_code != 0) throw std::runtime_error("initdb failed: " + output + errors);
  WriteFile(dir_ / "data" / "pg_hba.conf",
            "local all all trust\n"
            "host all postgres 127.0.0.1/32 trust\n"
            "host all all 127.0.0.1/32 scram-sha-256\n");
  GiveToServerUser(dir_.Path());
  Start();
}

PostgresServer::~PostgresServer() {
  try {
    Stop();
  } catch (...) {  // the process's own destructor still kills it
  }
}

std::vector<std::string> PostgresServer::AsServerUser(std::vector<std::string> argv) const {
  if (geteuid() != 0) return argv;
  std::vector<std::string> wrapped = {"setpriv", "--reuid=postgres", "--regid=postgres",
                                      "--init-groups", "--"};
  wrapped.insert(wrapped.end(), argv.begin(), argv.end());
  return wrapped;
}

std::string PostgresServer::Dsn(const std::string& user, const std::string& database) const {
  return "host=127.0.0.1 port=" + std::to_string(port_) + " dbname=" + database + " user=" + user;
}

void PostgresServer::Start() {
  if (process_) return;
  std::vector<std::string> argv = {BinaryDirectory() + "/postgres",
                                   "-D",
                                   (dir_ / "data").string(),
                                   "-p",
                                   std::to_string(port_),
                                   "-k",
                                   dir_.Path().string(),
                                   "-c",
                                   "listen_addresses=127.0.0.1",
                                   "-c",
                                   "fsync=off",
                                   "-c",
                                   "max_connections=40"};
  for (const auto& setting : settings_) {
    argv.push_back("-c");
    argv.push_back(setting);
  }
  process_.emplace(AsServerUser(argv), (dir_ / "postgres.log").string());
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < until) {
    int exit_code = -1;
    RunCommand(
        {BinaryDirectory() + "/pg_isready", "-q", "-h", "127.0.0.1", "-p", std::to_string(port_)},
        &exit_code);
    if (exit_code == 0) return;
    if (!process_->Running()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  throw std::runtime_error("postgres did not start: " + ReadFile(dir_ / "postgres.log"));
}

void PostgresServer::Stop() {
  if (!process_) return;
  Resume();
  process_->Signal(SIGINT);  // fast shutdown: does not wait for clients to leave
  if (process_->Wait(std::chrono::seconds(15)) == -1) process_->Stop();
  process_.reset();
}

void PostgresServer::Restart() {
  Stop();
  Start();
}

void PostgresServer::Pause() {
  if (!process_ || paused_) return;
  for (const pid_t pid : ServerProcesses(process_->Pid())) kill(pid, SIGSTOP);
  paused_ = true;
}

void PostgresServer::Resume() {
  if (!process_ || !paused_) return;
  for (const pid_t pid : ServerProcesses(process_->Pid())) kill(pid, SIGCONT);
  paused_ = false;
}

std::string PostgresServer::Psql(const std::string& sql, const std::string& database) const {
  int exit_code = -1;
  std::string errors;
  auto output = RunCommand({"psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p",
                            std::to_string(port_), "-U", "postgres", "-d", database, "-c", sql},
                           &exit_code, &errors);
  if (exit_code != 0) throw std::runtime_error("psql failed on '" + sql + "': " + errors);
  while (!output.empty() && output.back() == '\n') output.pop_back();
  return output;
}

void PostgresServer::PsqlFile(const std::string& path, const std::string& database) const {
  int exit_code = -1;
  std::string errors;
  RunCommand({"psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p",
              std::to_string(port_), "-U", "postgres", "-d", database, "-f", path},
             &exit_code, &errors);
  if (exit_code != 0) throw std::runtime_error("psql -f " + path + " failed: " + errors);
}

}  // namespace ooe::test
