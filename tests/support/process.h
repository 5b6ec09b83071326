// Real servers for tests: free ports, child processes killed when the test ends (pass or fail),
// and waiting for a port to answer.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace ooe::test {

// A TCP port on 127.0.0.1 nobody listens on right now.
int FreePort();

// A socket listening on 127.0.0.1 at a port the kernel picks (returned in `port`); throws
// std::runtime_error naming `who` when it cannot.
int ListenOnLoopback(int& port, const char* who);

// True once something accepts connections on 127.0.0.1:port, false after `timeout`.
bool WaitForPort(int port, std::chrono::milliseconds timeout);

// A fresh directory under the build's temp area, removed with the object.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& Path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// A child process in its own process group; the destructor kills the group (SIGTERM, then
// SIGKILL) and reaps it, so no server outlives its test.
class Process {
 public:
  // Runs argv[0] (looked up in PATH) with `argv`; stdout and stderr go to `log_file` when set.
  explicit Process(std::vector<std::string> argv, const std::string& log_file = "",
                   const std::vector<std::string>& extra_environment = {});
  ~Process();
  Process(Process&& other) noexcept;
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t Pid() const { return pid_; }
  bool Running();
  void Signal(int signal_number);
  // Sends SIGTERM and waits up to `timeout`; returns the exit status (-1 when it had to be
  // killed, 128+N when a signal ended it).
  int Stop(std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));
  // Waits for the process to exit on its own; -1 on timeout.
  int Wait(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  int status_ = -1;
};

// Runs a command to completion and returns its stdout; `exit_code` gets the status.
std::string RunCommand(const std::vector<std::string>& argv, int* exit_code = nullptr,
                       std::string* stderr_output = nullptr);

// How many times `needle` occurs in `text` (overlapping ones included).
size_t CountOccurrences(std::string_view text, std::string_view needle);

// The whole content of a file.
std::string ReadFile(const std::filesystem::path& path);
void WriteFile(const std::filesystem::path& path, const std::string& content);

}  // namespace ooe::test
