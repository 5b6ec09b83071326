// OpenSSL (libssl.so.3 and the libcrypto.so.3 it needs), opened with dlopen() the first time
// something asks for TLS or a digest instead of linked. Only rediss://, the web server's TLS, basic
// auth and Document Server's JWT use it; an exporter without them is spared the 1.4 MiB of
// resident memory that merely loading libcrypto costs (its relocations, symbol tables and
// relocated data). The function types come from OpenSSL's own headers, so calls through this
// table are checked as calls to OpenSSL are. It is loaded RTLD_GLOBAL: civetweb looks OpenSSL's
// functions up in the program's global scope (exporter/civetweb_openssl3.cpp).
#pragma once

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

namespace ooe {

struct OpenSslLibrary {
  // libcrypto
  decltype(&ERR_get_error) err_get_error;
  decltype(&ERR_clear_error) err_clear_error;
  decltype(&ERR_error_string_n) err_error_string_n;
  decltype(&EVP_EncodeBlock) evp_encode_block;
  decltype(&EVP_DecodeBlock) evp_decode_block;
  decltype(&EVP_sha256) evp_sha256;
  decltype(&HMAC) hmac;
  decltype(&SHA256) sha256;
  decltype(&CRYPTO_memcmp) crypto_memcmp;
  decltype(&X509_verify_cert_error_string) x509_verify_cert_error_string;
  decltype(&X509_VERIFY_PARAM_set1_ip_asc) x509_verify_param_set1_ip_asc;
  // libssl
  decltype(&TLS_client_method) tls_client_method;
  decltype(&TLS_server_method) tls_server_method;
  decltype(&SSL_CTX_new) ctx_new;
  decltype(&SSL_CTX_free) ctx_free;
  decltype(&SSL_CTX_ctrl) ctx_ctrl;
  decltype(&SSL_CTX_use_certificate_chain_file) ctx_use_certificate_chain_file;
  decltype(&SSL_CTX_use_PrivateKey_file) ctx_use_private_key_file;
  decltype(&SSL_CTX_check_private_key) ctx_check_private_key;
  decltype(&SSL_CTX_load_verify_locations) ctx_load_verify_locations;
  decltype(&SSL_CTX_set_default_verify_paths) ctx_set_default_verify_paths;
  decltype(&SSL_CTX_set_client_CA_list) ctx_set_client_ca_list;
  decltype(&SSL_CTX_set_verify) ctx_set_verify;
  decltype(&SSL_load_client_CA_file) load_client_ca_file;
  decltype(&SSL_new) ssl_new;
  decltype(&SSL_free) ssl_free;
  decltype(&SSL_ctrl) ssl_ctrl;
  decltype(&SSL_set_fd) ssl_set_fd;
  decltype(&SSL_set1_host) ssl_set1_host;
  decltype(&SSL_get0_param) ssl_get0_param;
  decltype(&SSL_connect) ssl_connect;
  decltype(&SSL_read) ssl_read;
  decltype(&SSL_write) ssl_write;
  decltype(&SSL_get_error) ssl_get_error;
  decltype(&SSL_get_verify_result) ssl_get_verify_result;
  decltype(&SSL_get1_peer_certificate) ssl_get1_peer_certificate;

  // OpenSSL's macros of the same names, which expand to the ctrl calls above.
  long CtxSetMinProtoVersion(SSL_CTX* context, int version) const {
    return ctx_ctrl(context, SSL_CTRL_SET_MIN_PROTO_VERSION, version, nullptr);
  }
  long SetTlsextHostName(SSL* ssl, const char* name) const {
    return ssl_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                    const_cast<char*>(name));
  }
};

// libssl.so.3, loaded on the first call (thread-safe; it stays loaded). Throws
// std::runtime_error naming the library and what is missing when it cannot be loaded.
const OpenSslLibrary& OpenSsl();

}  // namespace ooe
