#ifndef KX_MHD_SHIMS_H
#define KX_MHD_SHIMS_H

#include <stddef.h>
#include <stdint.h>

// MHD_start_daemon and MHD_get_*_info are variadic, which Swift cannot call.
// These wrappers take fixed arguments; handler pointers are passed untyped so that
// this header does not re-export microhttpd.h (Swift imports it from CMicroHTTPD).

struct KXServerOptions {
    unsigned int flags;              // MHD_FLAG bits
    int listen_fd;                   // a bound, listening socket the daemon takes over
    unsigned int connection_limit;   // microhttpd's own limit (the Swift side refuses earlier)
    unsigned int connection_timeout_seconds;
    unsigned int thread_pool_size;   // 0 or 1: a single polling thread
    size_t connection_memory_limit;
    /// Request lines with more query parameters are answered 414 and closed before microhttpd
    /// parses them (each parameter takes a record from the connection's memory pool).
    unsigned int max_query_parameters;
    /// The context every callback below receives.
    void *context;
    /// Receives each error microhttpd reports (malformed requests, socket errors), formatted; required.
    void (*error_logger)(void *context, const char *message);
    /// Decides on an accepted socket before microhttpd reads from it; `peer` is the IPv4 (4 bytes)
    /// or IPv6 (16 bytes) address. Returns 1 to keep the connection, 0 to close it at once.
    int (*accept_policy)(void *context, const uint8_t *peer, size_t peer_length);
    /// A connection was opened (closed == 0) or closed (closed == 1).
    void (*connection_event)(void *context, void *connection, int closed);
    /// PEM text; all NULL for plain HTTP. `tls_trust_pem` makes the server ask for client certificates.
    const char *tls_key_pem;
    const char *tls_cert_pem;
    const char *tls_trust_pem;
    const char *tls_priorities;
};

/// Starts a daemon and returns the server that owns it (NULL when it did not start); `access_handler`
/// is an MHD_AccessHandlerCallback and `completed_handler` an MHD_RequestCompletedCallback. The
/// options are copied (PEM text included); `context` must live until `kx_mhd_stop` returns.
void *kx_mhd_start(const struct KXServerOptions *options,
                   void *access_handler, void *completed_handler);

/// Stops the daemon (waiting for its threads) and frees the server; call once.
void kx_mhd_stop(void *server);

/// Called by the access handler on its first call for a request: its headers were parsed.
void kx_mhd_headers_complete(void *connection);

/// How many connections the server (all its threads) holds, closing ones included.
unsigned int kx_mhd_open_connections(void *server);

/// The connection's socket, or -1.
int kx_mhd_connection_fd(void *connection);

/// Copies the peer's address (4 bytes for IPv4, IPv4-mapped IPv6 included, or 16) into `out`;
/// returns its length, 0 when unknown.
size_t kx_mhd_connection_peer(void *connection, uint8_t out[16]);

/// The client certificate of a TLS connection: 0 presented and verified against the trusted CAs,
/// 1 none presented, 2 presented but not valid, -1 not a TLS connection.
int kx_mhd_client_certificate(void *connection);

/// Loads a certificate and key (and client CAs, may be NULL) as the server will; NULL when they are
/// usable, else GnuTLS's description of the problem.
const char *kx_tls_check(const char *cert_pem, const char *key_pem, const char *trust_pem);

/// SHA-256 of `length` bytes.
void kx_sha256(const void *data, size_t length, uint8_t out[32]);

#endif
