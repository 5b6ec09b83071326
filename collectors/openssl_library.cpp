#include "collectors/openssl_library.h"

#include <dlfcn.h>

#include <stdexcept>
#include <string>

namespace ooe {
namespace {

// OpenSSL 3's soname; libssl.so.3 depends on libcrypto.so.3, and dlsym() on libssl's handle
// finds libcrypto's functions through that dependency.
constexpr const char* kSslSoname = "libssl.so.3";

template <typename Function>
void Resolve(void* library, const char* name, Function& function) {
  function = reinterpret_cast<Function>(dlsym(library, name));
  if (function == nullptr) {
    throw std::runtime_error(std::string(kSslSoname) + " lacks " + name + " (OpenSSL 3 is needed)");
  }
}

OpenSslLibrary Load() {
  void* library = dlopen(kSslSoname, RTLD_NOW | RTLD_GLOBAL);
  if (library == nullptr) {
    const char* reason = dlerror();
    throw std::runtime_error("cannot load " + std::string(kSslSoname) +
                             ", which TLS, basic auth and JWT need (Debian: package libssl3): " +
                             (reason != nullptr ? reason : "unknown reason"));
  }
  OpenSslLibrary ssl{};
  Resolve(library, "ERR_get_error", ssl.err_get_error);
  Resolve(library, "ERR_clear_error", ssl.err_clear_error);
  Resolve(library, "ERR_error_string_n", ssl.err_error_string_n);
  Resolve(library, "EVP_EncodeBlock", ssl.evp_encode_block);
  Resolve(library, "EVP_DecodeBlock", ssl.evp_decode_block);
  Resolve(library, "EVP_sha256", ssl.evp_sha256);
  Resolve(library, "HMAC", ssl.hmac);
  Resolve(library, "SHA256", ssl.sha256);
  Resolve(library, "CRYPTO_memcmp", ssl.crypto_memcmp);
  Resolve(library, "X509_verify_cert_error_string", ssl.x509_verify_cert_error_string);
  Resolve(library, "X509_VERIFY_PARAM_set1_ip_asc", ssl.x509_verify_param_set1_ip_asc);
  Resolve(library, "TLS_client_method", ssl.tls_client_method);
  Resolve(library, "TLS_server_method", ssl.tls_server_method);
  Resolve(library, "SSL_CTX_new", ssl.ctx_new);
  Resolve(library, "SSL_CTX_free", ssl.ctx_free);
  Resolve(library, "SSL_CTX_ctrl", ssl.ctx_ctrl);
  Resolve(library, "SSL_CTX_use_certificate_chain_file", ssl.ctx_use_certificate_chain_file);
  Resolve(library, "SSL_CTX_use_PrivateKey_file", ssl.ctx_use_private_key_file);
  Resolve(library, "SSL_CTX_check_private_key", ssl.ctx_check_private_key);
  Resolve(library, "SSL_CTX_load_verify_locations", ssl.ctx_load_verify_locations);
  Resolve(library, "SSL_CTX_set_default_verify_paths", ssl.ctx_set_default_verify_paths);
  Resolve(library, "SSL_CTX_set_client_CA_list", ssl.ctx_set_client_ca_list);
  Resolve(library, "SSL_CTX_set_verify", ssl.ctx_set_verify);
  Resolve(library, "SSL_load_client_CA_file", ssl.load_client_ca_file);
  Resolve(library, "SSL_new", ssl.ssl_new);
  Resolve(library, "SSL_free", ssl.ssl_free);
  Resolve(library, "SSL_ctrl", ssl.ssl_ctrl);
  Resolve(library, "SSL_set_fd", ssl.ssl_set_fd);
  Resolve(library, "SSL_set1_host", ssl.ssl_set1_host);
  Resolve(library, "SSL_get0_param", ssl.ssl_get0_param);
  Resolve(library, "SSL_connect", ssl.ssl_connect);
  Resolve(library, "SSL_read", ssl.ssl_read);
  Resolve(library, "SSL_write", ssl.ssl_write);
  Resolve(library, "SSL_get_error", ssl.ssl_get_error);
  Resolve(library, "SSL_get_verify_result", ssl.ssl_get_verify_result);
  Resolve(library, "SSL_get1_peer_certificate", ssl.ssl_get1_peer_certificate);
  return ssl;
}

}  // namespace

const OpenSslLibrary& OpenSsl() {
  // A failed load throws out of the initialiser, so the next call tries again.
  static const OpenSslLibrary kOpenSsl = Load();
  return kOpenSsl;
}

}  // namespace ooe
