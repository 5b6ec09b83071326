// Real container engines for tests: a private dockerd (no bridge, no iptables) or Podman's
// Docker-compatible API service, each in its own directories, with a busybox-static image
// imported as localhost/busybox:test. Start once per test binary (Shared()); containers, the
// daemon and its mounts are removed on exit, also after failed test cases.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tests/support/process.h"

namespace ooe::test {

class ContainerEngine {
 public:
  enum class Kind { kDocker, kPodman };

  // The engine of `kind` for this whole binary, started on first use.
  static ContainerEngine& Shared(Kind kind);

  explicit ContainerEngine(Kind kind);
  ~ContainerEngine();
  ContainerEngine(const ContainerEngine&) = delete;
  ContainerEngine& operator=(const ContainerEngine&) = delete;

  Kind GetKind() const { return kind_; }
  std::string Name() const { return kind_ == Kind::kDocker ? "docker" : "podman"; }
  std::string SocketPath() const;
  std::string Host() const { return "unix://" + SocketPath(); }
  static constexpr const char* kImage = "localhost/busybox:test";

  // The engine's CLI (docker -H ... / podman --root ...) with `arguments`; stdout, trimmed.
  std::string Cli(const std::vector<std::string>& arguments, int* exit_code = nullptr,
                  std::string* error_output = nullptr) const;
  // `run -d --name NAME OPTIONS... IMAGE COMMAND...` with what this machine needs (Podman: runc,
  // ulimits, no network); returns the container id, throws with the CLI's error on failure.
  std::string Run(const std::string& name, const std::vector<std::string>& options,
                  const std::vector<std::string>& command) const;
  // Removes every container of this engine.
  void RemoveAllContainers() const;

 private:
  std::vector<std::string> CliPrefix() const;
  void Shutdown();

  Kind kind_;
  TempDir dir_;
  std::unique_ptr<Process> daemon_;
};

}  // namespace ooe::test
