// A library opened with dlopen() on first use instead of linked (collectors/http/curl_library.h,
// collectors/openssl_library.h): loading and symbol look-up that fail with one line naming the
// library and what is missing.
#pragma once

#include <string>

namespace ooe {

class SharedLibrary {
 public:
  // Opens `soname` with dlopen(`mode`); throws std::runtime_error naming it, what it is
  // `needed_for` and the Debian `package` that holds it. `requirement` names the version that has
  // every function Resolve() looks up.
  SharedLibrary(const char* soname, int mode, const std::string& needed_for,
                const std::string& package, std::string requirement);

  // Sets `function` to the library's `name`; throws naming what is missing and the requirement.
  template <typename Function>
  void Resolve(const char* name, Function& function) const {
    function = reinterpret_cast<Function>(Find(name));
  }

 private:
  void* Find(const char* name) const;

  std::string soname_;
  std::string requirement_;
  void* handle_ = nullptr;
};

}  // namespace ooe
