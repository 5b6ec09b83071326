#include "collectors/http/curl_library.h"

#include <dlfcn.h>

#include <stdexcept>
#include <string>

#include "collectors/shared_library.h"

namespace ooe {
namespace {

CurlLibrary Load() {
  // CURL's ABI 4 has kept every function used here since 7.66 (curl_multi_poll, the newest).
  const SharedLibrary library("libcurl.so.4", RTLD_NOW | RTLD_LOCAL, "every HTTP collector needs",
                              "libcurl4", "libcurl 7.66 or newer is needed");
  CurlLibrary curl{};
  library.Resolve("curl_global_init", curl.global_init);
  library.Resolve("curl_easy_init", curl.easy_init);
  library.Resolve("curl_easy_cleanup", curl.easy_cleanup);
  library.Resolve("curl_easy_setopt", curl.easy_setopt);
  library.Resolve("curl_easy_getinfo", curl.easy_getinfo);
  library.Resolve("curl_easy_strerror", curl.easy_strerror);
  library.Resolve("curl_slist_append", curl.slist_append);
  library.Resolve("curl_slist_free_all", curl.slist_free_all);
  library.Resolve("curl_multi_init", curl.multi_init);
  library.Resolve("curl_multi_cleanup", curl.multi_cleanup);
  library.Resolve("curl_multi_add_handle", curl.multi_add_handle);
  library.Resolve("curl_multi_remove_handle", curl.multi_remove_handle);
  library.Resolve("curl_multi_perform", curl.multi_perform);
  library.Resolve("curl_multi_info_read", curl.multi_info_read);
  library.Resolve("curl_multi_poll", curl.multi_poll);
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
