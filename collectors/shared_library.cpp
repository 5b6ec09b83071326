#include "collectors/shared_library.h"

#include <dlfcn.h>

#include <stdexcept>
#include <utility>

namespace ooe {

SharedLibrary::SharedLibrary(const char* soname, int mode, const std::string& needed_for,
                             const std::string& package, std::string requirement)
    : soname_(soname), requirement_(std::move(requirement)), handle_(dlopen(soname, mode)) {
  if (handle_ == nullptr) {
    const char* reason = dlerror();
    throw std::runtime_error("cannot load " + soname_ + ", which " + needed_for +
                             " (Debian: package " + package +
                             "): " + (reason != nullptr ? reason : "unknown reason"));
  }
}

void* SharedLibrary::Find(const char* name) const {
  void* symbol = dlsym(handle_, name);
  if (symbol == nullptr) {
    throw std::runtime_error(soname_ + " lacks " + name + " (" + requirement_ + ")");
  }
  return symbol;
}

}  // namespace ooe
