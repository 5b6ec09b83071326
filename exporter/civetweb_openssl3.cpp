// Makes Debian 12's civetweb (1.15, built for the OpenSSL 1.1 API with run-time loading) serve
// TLS with OpenSSL 3. civetweb dlopen()s "libssl.so" and "libcrypto.so" (the -dev symlinks, absent
// from a runtime image) and dlsym()s each function by name; OpenSSL 3 dropped exactly one of those
// names, SSL_get_peer_certificate (now SSL_get1_peer_certificate, same contract), so civetweb's
// pointer stays NULL and the first TLS connection calls it and crashes. Linked into the
// executable and exported (see exporter/CMakeLists.txt): our dlopen() answers civetweb's two
// look-ups with the program's global scope, which holds the OpenSSL 3 the executable links plus
// the old name defined here. Every other dlopen() goes to the real one unchanged.
#include <dlfcn.h>
#include <openssl/ssl.h>

#include <string_view>

extern "C" {

// OpenSSL 3's headers #define the old name to the new one; the symbol civetweb asks for is the
// old name itself.
#undef SSL_get_peer_certificate
// NOLINTNEXTLINE(readability-identifier-naming): OpenSSL's name, looked up by civetweb.
X509* SSL_get_peer_certificate(const SSL* ssl) { return SSL_get1_peer_certificate(ssl); }

void* dlopen(const char* file, int mode) {
  using DlopenFunction = void* (*)(const char*, int);
  static const auto kRealDlopen = reinterpret_cast<DlopenFunction>(dlsym(RTLD_NEXT, "dlopen"));
  if (file != nullptr) {
    const std::string_view name(file);
    if (name == "libssl.so" || name == "libcrypto.so") file = nullptr;
  }
  return kRealDlopen(file, mode);
}

}  // extern "C"
