#include "tests/support/docker_engine.h"

#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <thread>

namespace ooe::test {
namespace {

std::string Trim(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// A busybox-static root file system: the only image these machines can have (no registry).
void BuildRootfs(const std::filesystem::path& rootfs) {
  for (const auto* directory : {"bin", "tmp", "proc", "sys", "dev", "etc"}) {
    std::filesystem::create_directories(rootfs / directory);
  }
  std::filesystem::copy_file("/bin/busybox", rootfs / "bin" / "busybox");
  for (const auto* applet :
       {"sh", "yes", "sleep", "head", "tail", "cat", "dd", "true", "false", "kill", "ls"}) {
    std::filesystem::create_symlink("busybox", rootfs / "bin" / applet);
  }
  // Copies under Document Server's program names: `exec -a sleep /bin/docservice 60` runs
  // busybox's sleep as a process the kernel names docservice, as supervisord's would be.
  for (const auto* program : {"docservice", "converter"}) {
    std::filesystem::copy_file("/bin/busybox", rootfs / "bin" / program);
  }
  WriteFile(rootfs / "etc" / "passwd", "root:x:0:0:root:/:/bin/sh\n");
  WriteFile(rootfs / "etc" / "group", "root:x:0:\n");
}

// Lazily unmounts whatever the engine left mounted under `directory` (deepest first), so
// removing the directory never walks into a mounted file system.
void UnmountBelow(const std::filesystem::path& directory) {
  std::ifstream mounts("/proc/self/mounts");
  std::vector<std::string> targets;
  std::string device, target, rest;
  const std::string prefix = directory.string() + "/";
  while (mounts >> device >> target && std::getline(mounts, rest)) {
    if (target.rfind(prefix, 0) == 0) targets.push_back(target);
  }
  std::sort(targets.begin(), targets.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  for (const auto& path : targets) umount2(path.c_str(), MNT_DETACH);
}

// Podman's conmon runs `podman ... container cleanup` after a container ends, which would
// recreate storage files under a directory being removed: wait (5 s at most) until no process
// names `directory` on its command line.
void WaitForHelpersBelow(const std::filesystem::path& directory) {
  const std::string needle = directory.string();
  for (int attempt = 0; attempt < 50; ++attempt) {
    bool busy = false;
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator("/proc", error)) {
      const std::string pid = entry.path().filename().string();
      if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
      if (pid == std::to_string(getpid())) continue;
      std::string cmdline;
      try {
        std::ifstream file(entry.path() / "cmdline");
        cmdline.assign(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
      } catch (const std::ios_base::failure&) {
        continue;  // it exited while being read (ESRCH from read())
      }
      if (cmdline.find(needle) != std::string::npos) {
        busy = true;
        break;
      }
    }
    if (!busy) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace

ContainerEngine& ContainerEngine::Shared(Kind kind) {
  if (kind == Kind::kDocker) {
    static ContainerEngine docker(Kind::kDocker);
    return docker;
  }
  static ContainerEngine podman(Kind::kPodman);
  return podman;
}

std::string ContainerEngine::SocketPath() const {
  return (dir_ / (kind_ == Kind::kDocker ? "docker.sock" : "podman.sock")).string();
}

std::vector<std::string> ContainerEngine::CliPrefix() const {
  if (kind_ == Kind::kDocker) return {"docker", "--host", Host()};
  // From the engine's own directory: conmon, which the CLI and the service start, writes an
  // "oom" file into its working directory when the kernel OOM-kills a container.
  return {"sh",
          "-c",
          "cd \"$0\" && exec \"$@\"",
          dir_.Path().string(),
          "podman",
          "--root",
          (dir_ / "root").string(),
          "--runroot",
          (dir_ / "runroot").string(),
          "--tmpdir",
          (dir_ / "tmp").string(),
          "--runtime",
          "runc",
          "--cgroup-manager",
          "cgroupfs",
          "--events-backend",
          "file"};
}

ContainerEngine::ContainerEngine(Kind kind) : kind_(kind) {
  BuildRootfs(dir_ / "rootfs");
  const std::string log = (dir_ / "daemon.log").string();
  if (kind_ == Kind::kDocker) {
    daemon_ = std::make_unique<Process>(
        std::vector<std::string>{"dockerd", "--host", Host(), "--data-root",
                                 (dir_ / "data").string(), "--exec-root", (dir_ / "exec").string(),
                                 "--pidfile", (dir_ / "pid").string(), "--iptables=false",
                                 "--ip-masq=false", "--bridge=none"},
        log);
  } else {
    auto argv = CliPrefix();
    argv.insert(argv.end(), {"system", "service", "--time=0", Host()});
    daemon_ = std::make_unique<Process>(argv, log);
  }
  // The API answers /_ping once it is up (dockerd: about 2 s).
  for (int attempt = 0; attempt < 300; ++attempt) {
    int exit_code = -1;
    RunCommand({"curl", "-sf", "--unix-socket", SocketPath(), "http://localhost/_ping"},
               &exit_code);
    if (exit_code == 0) break;
    if (!daemon_->Running()) {
      throw std::runtime_error(Name() + " did not start: " + ReadFile(log));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  int exit_code = -1;
  std::string errors;
  const auto prefix = CliPrefix();
  std::string import_command = "tar -C " + (dir_ / "rootfs").string() + " -c . | ";
  for (const auto& part : prefix) import_command += "'" + part + "' ";
  import_command += "import - " + std::string(kImage);
  RunCommand({"sh", "-c", import_command}, &exit_code, &errors);
  if (exit_code != 0) throw std::runtime_error(Name() + " import failed: " + errors);
}

ContainerEngine::~ContainerEngine() { Shutdown(); }

void ContainerEngine::Shutdown() {
  if (!daemon_) return;
  RemoveAllContainers();
  daemon_->Stop(std::chrono::milliseconds(10000));
  daemon_.reset();
  WaitForHelpersBelow(dir_.Path());
  UnmountBelow(dir_.Path());
}

std::string ContainerEngine::Cli(const std::vector<std::string>& arguments, int* exit_code,
                                 std::string* error_output) const {
  auto argv = CliPrefix();
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  return Trim(RunCommand(argv, exit_code, error_output));
}

std::string ContainerEngine::Run(const std::string& name, const std::vector<std::string>& options,
                                 const std::vector<std::string>& command) const {
  std::vector<std::string> arguments = {"run", "-d", "--name", name};
  if (kind_ == Kind::kPodman) {
    arguments.insert(arguments.end(), {"--ulimit", "nofile=1024:1024", "--ulimit",
                                       "nproc=1024:1024", "--network", "none"});
  } else {
    arguments.insert(arguments.end(), {"--log-driver", "none"});
  }
  arguments.insert(arguments.end(), options.begin(), options.end());
  arguments.push_back(kImage);
  arguments.insert(arguments.end(), command.begin(), command.end());
  int exit_code = -1;
  std::string errors;
  auto id = Cli(arguments, &exit_code, &errors);
  if (exit_code != 0) throw std::runtime_error(Name() + " run " + name + " failed: " + errors);
  return id;
}

void ContainerEngine::RemoveAllContainers() const {
  // `arguments` and one line of `listed` each.
  const auto each = [](std::vector<std::string> arguments, const std::string& listed) {
    size_t start = 0;
    while (start < listed.size()) {
      const auto end = listed.find('\n', start);
      arguments.push_back(
          listed.substr(start, end == std::string::npos ? std::string::npos : end - start));
      if (end == std::string::npos) break;
      start = end + 1;
    }
    return arguments;
  };
  if (const auto ids = Cli({"ps", "-aq"}); !ids.empty()) {
    std::vector<std::string> arguments = {"rm", "-f"};
    if (kind_ == Kind::kPodman) arguments.insert(arguments.end(), {"-t", "0"});
    Cli(each(arguments, ids));
  }
  // Named volumes too: each holds one of the locks every Podman on the host shares (2,048 in
  // /dev/shm/libpod_lock), which outlive the engine's directory.
  if (const auto volumes = Cli({"volume", "ls", "-q"}); !volumes.empty()) {
    Cli(each({"volume", "rm", "-f"}, volumes));
  }
}

}  // namespace ooe::test
