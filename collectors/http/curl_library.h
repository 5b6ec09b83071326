// libcurl, opened with dlopen() the first time an HTTP client is made instead of linked. Debian's
// libcurl brings about twenty libraries (GnuTLS, Kerberos, LDAP, libssh2, RTMP ...) and
// initialises OpenSSL: about 5 MiB of resident memory that an exporter watching only Redis never
// uses. The function types come from <curl/curl.h>, so a call through this table is checked
// exactly as a call to libcurl itself.
#pragma once

#include <curl/curl.h>

namespace ooe {

struct CurlLibrary {
  decltype(&curl_global_init) global_init;
  decltype(&curl_easy_init) easy_init;
  decltype(&curl_easy_cleanup) easy_cleanup;
  decltype(&curl_easy_setopt) easy_setopt;
  decltype(&curl_easy_getinfo) easy_getinfo;
  decltype(&curl_easy_strerror) easy_strerror;
  decltype(&curl_slist_append) slist_append;
  decltype(&curl_slist_free_all) slist_free_all;
  decltype(&curl_multi_init) multi_init;
  decltype(&curl_multi_cleanup) multi_cleanup;
  decltype(&curl_multi_add_handle) multi_add_handle;
  decltype(&curl_multi_remove_handle) multi_remove_handle;
  decltype(&curl_multi_perform) multi_perform;
  decltype(&curl_multi_info_read) multi_info_read;
  decltype(&curl_multi_poll) multi_poll;
};

// libcurl.so.4, loaded and globally initialised on the first call (thread-safe; it stays loaded).
// Throws std::runtime_error naming the library and what is missing when it cannot be loaded.
const CurlLibrary& Curl();

}  // namespace ooe
