// Makes Debian 12's civetweb (1.15, built for the OpenSSL 1.1 API with run-time loading) serve
// TLS with OpenSSL 3. civetweb dlopen()s "libssl.so" and "libcrypto.so" (the -dev symlinks, absent
// from a runtime image) and dlsym()s each function by name; OpenSSL 3 dropped exactly one of those
// names, SSL_get_peer_certificate (now SSL_get1_peer_certificate, same contract), so civetweb's
// pointer stays NULL and the first TLS connection calls it and crashes. Linked into the
// executable and exported (see exporter/CMakeLists.txt): our dlopen() answers civetweb's two
// look-ups by loading OpenSSL 3 into the program's global scope (collectors/openssl_library.h)
// and returning that scope, which holds OpenSSL 3 plus the old name defined here. Every other
// dlopen() goes to the real one unchanged.
#include <dlfcn.h>

#include <exception>
#include <string_view>

#include "collectors/log.h"
#include "collectors/openssl_library.h"

extern "C" {

// OpenSSL 3's headers #define the old name to the new one; the symbol civetweb asks for is the
// old name itself.
#undef SSL_get_peer_certificate
// NOLINTNEXTLINE(readability-identifier-naming): OpenSSL's name, looked up by civetweb.
X509* SSL_get_peer_certificate(const SSL* ssl) {
  return ooe::OpenSsl().ssl_get1_peer_certificate(ssl);
}

void* dlopen(const char* file, int mode) {
  using DlopenFunction = void* (*)(const char*, int);
  static const auto kRealDlopen = reinterpret_cast<DlopenFunction>(dlsym(RTLD_NEXT, "dlopen"));
  if (file != nullptr) {
    const std::string_view name(file);
    if (name == "libssl.so" || name == "libcrypto.so") {
      try {
        (void)ooe::OpenSsl();
      } catch (const std::exception& error) {  // civetweb then reports that TLS cannot start
        ooe::Log(ooe::LogLevel::kError, "cannot load OpenSSL for TLS", {{"err", error.what()}});
        return nullptr;
      }
      file = nullptr;
    }
  }
  return kRealDlopen(file, mode);
}

}  // extern "C"
