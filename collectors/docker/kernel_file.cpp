#include "collectors/docker/kernel_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace ooe::docker {

bool ReadKernelFile(const std::string& path, std::string& content, std::string& why,
                    size_t max_bytes) {
  const int descriptor = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (descriptor < 0) {
    why = path + ": " + std::strerror(errno);
    return false;
  }
  content.clear();
  std::array<char, 4096> buffer{};
  while (true) {
    const ssize_t count = ::read(descriptor, buffer.data(), buffer.size());
    if (count < 0 && errno == EINTR) continue;
    if (count < 0) {
      why = path + ": " + std::strerror(errno);
      ::close(descriptor);
      return false;
    }
    if (count == 0) break;
    content.append(buffer.data(), static_cast<size_t>(count));
    if (content.size() > max_bytes) {
      why = path + ": larger than " + std::to_string(max_bytes) + " bytes";
      ::close(descriptor);
      return false;
    }
  }
  ::close(descriptor);
  return true;
}

}  // namespace ooe::docker
