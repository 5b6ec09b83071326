#include "collectors/http/curl_library.h"

#include <dlfcn.h>

#include <stdexcept>
#include <string>

namespace ooe {
namespace {

// The soname of the libcurl whose headers we build with; CURL's ABI 4 has kept every function
// used here since 7.66 (curl_multi_poll, the newest).
constexpr const char* kCurlSoname = "libcurl.so.4";

template <typename Function>
void Resolve(void* library, const char* name, Function& function) {
  function = reinterpret_cast<Function>(dlsym(library, name));
  if (function == nullptr) {
    throw std::runtime_error(std::string(kCurlSoname) + " lacks " + name +
                             " (libcurl 7.66 or newer is needed)");
  }
}

CurlLibrary Load() {
  void* library = dlopen(kCurlSoname, RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    const char* reason = dlerror();
    throw std::runtime_error("cannot load " + std::string(kCurlSoname) +
                             ", which every HTTP collector needs (Debian: package libcurl4): " +
                             (reason != nullptr ? reason : "unknown reason"));
  }
  CurlLibrary curl{};
  Resolve(library, "curl_global_init", curl.global_init);
  Resolve(library, "curl_easy_init", curl.easy_init);
  Resolve(library, "curl_easy_cleanup", curl.easy_cleanup);
  Resolve(library, "curl_easy_setopt", curl.easy_setopt);
  Resolve(library, "curl_easy_getinfo", curl.easy_getinfo);
  Resolve(library, "curl_easy_strerror", curl.easy_strerror);
  Resolve(library, "curl_slist_append", curl.slist_append);
  Resolve(library, "curl_slist_free_all", curl.slist_free_all);
  Resolve(library, "curl_multi_init", curl.multi_init);
  Resolve(library, "curl_multi_cleanup", curl.multi_cleanup);
  Resolve(library, "curl_multi_add_handle", curl.multi_add_handle);
  Resolve(library, "curl_multi_remove_handle", curl.multi_remove_handle);
  Resolve(library, "curl_multi_perform", curl.multi_perform);
  Resolve(library, "curl_multi_info_read", curl.multi_info_read);
  Resolve(library, "curl_multi_poll", curl.multi_poll);
  // Before any other thread uses libcurl: curl_global_init is not thread-safe, and the static
  // below is initialised exactly once.
  const CURLcode code = curl.global_init(CURL_GLOBAL_DEFAULT);
  if (code != CURLE_OK) {
    throw std::runtime_error("curl_global_init failed: " + std::string(curl.easy_strerror(code)));
  }
  return curl;
}

}  // namespace

const CurlLibrary& Curl() {
  // A failed load throws out of the initialiser, so the next call tries again.
  static const CurlLibrary kCurl = Load();
  return kCurl;
}

}  // namespace ooe
