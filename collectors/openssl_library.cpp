#include "collectors/openssl_library.h"

#include <dlfcn.h>

#include "collectors/shared_library.h"

namespace ooe {
namespace {

OpenSslLibrary Load() {
  // libssl.so.3 depends on libcrypto.so.3, and dlsym() on libssl's handle finds libcrypto's
  // functions through that dependency.
  const SharedLibrary library("libssl.so.3", RTLD_NOW | RTLD_GLOBAL, "TLS, basic auth and JWT need",
                              "libssl3", "OpenSSL 3 is needed");
  OpenSslLibrary ssl{};
  library.Resolve("ERR_get_error", ssl.err_get_error);
  library.Resolve("ERR_clear_error", ssl.err_clear_error);
  library.Resolve("ERR_error_string_n", ssl.err_error_string_n);
  library.Resolve("EVP_EncodeBlock", ssl.evp_encode_block);
  library.Resolve("EVP_DecodeBlock", ssl.evp_decode_block);
  library.Resolve("EVP_sha256", ssl.evp_sha256);
  library.Resolve("HMAC", ssl.hmac);
  library.Resolve("SHA256", ssl.sha256);
  library.Resolve("CRYPTO_memcmp", ssl.crypto_memcmp);
  library.Resolve("X509_verify_cert_error_string", ssl.x509_verify_cert_error_string);
  library.Resolve("X509_VERIFY_PARAM_set1_ip_asc", ssl.x509_verify_param_set1_ip_asc);
  library.Resolve("TLS_client_method", ssl.tls_client_method);
  library.Resolve("TLS_server_method", ssl.tls_server_method);
  library.Resolve("SSL_CTX_new", ssl.ctx_new);
  library.Resolve("SSL_CTX_free", ssl.ctx_free);
  library.Resolve("SSL_CTX_ctrl", ssl.ctx_ctrl);
  library.Resolve("SSL_CTX_use_certificate_chain_file", ssl.ctx_use_certificate_chain_file);
  library.Resolve("SSL_CTX_use_PrivateKey_file", ssl.ctx_use_private_key_file);
  library.Resolve("SSL_CTX_check_private_key", ssl.ctx_check_private_key);
  library.Resolve("SSL_CTX_load_verify_locations", ssl.ctx_load_verify_locations);
  library.Resolve("SSL_CTX_set_default_verify_paths", ssl.ctx_set_default_verify_paths);
  library.Resolve("SSL_CTX_set_client_CA_list", ssl.ctx_set_client_ca_list);
  library.Resolve("SSL_CTX_set_verify", ssl.ctx_set_verify);
  library.Resolve("SSL_load_client_CA_file", ssl.load_client_ca_file);
  library.Resolve("SSL_new", ssl.ssl_new);
  library.Resolve("SSL_free", ssl.ssl_free);
  library.Resolve("SSL_ctrl", ssl.ssl_ctrl);
  library.Resolve("SSL_set_fd", ssl.ssl_set_fd);
  library.Resolve("SSL_set1_host", ssl.ssl_set1_host);
  library.Resolve("SSL_get0_param", ssl.ssl_get0_param);
  library.Resolve("SSL_connect", ssl.ssl_connect);
  library.Resolve("SSL_read", ssl.ssl_read);
  library.Resolve("SSL_write", ssl.ssl_write);
  library.Resolve("SSL_get_error", ssl.ssl_get_error);
  library.Resolve("SSL_get_verify_result", ssl.ssl_get_verify_result);
  library.Resolve("SSL_get1_peer_certificate", ssl.ssl_get1_peer_certificate);
  return ssl;
}

}  // namespace

const OpenSslLibrary& OpenSsl() {
  // A failed load throws out of the initialiser, so the next call tries again.
  static const OpenSslLibrary kOpenSsl = Load();
  return kOpenSsl;
}

}  // namespace ooe
