#ifndef KX_MHD_SHIMS_H
#define KX_MHD_SHIMS_H

#include <stddef.h>
#include <stdint.h>

// MHD_start_daemon and MHD_get_daemon_info are variadic, which Swift cannot call.
// These wrappers take fixed arguments; handler pointers are passed untyped so that
// this header does not re-export microhttpd.h (Swift imports it from CMicroHTTPD).

struct KXServerOptions {
    unsigned int flags;              // MHD_FLAG bits
    const void *bind_address;        // struct sockaddr_in/_in6, or NULL for any address
    uint16_t port;                   // used when bind_address is NULL
    unsigned int connection_limit;
    unsigned int connection_timeout_seconds;
    unsigned int thread_pool_size;   // 0 or 1: a single polling thread
    size_t connection_memory_limit;
    /// Receives each error microhttpd reports (malformed requests, socket errors), formatted; required.
    void (*error_logger)(void *context, const char *message);
    void *error_logger_context;
};

/// Starts a daemon; `access_handler` is an MHD_AccessHandlerCallback and
/// `completed_handler` an MHD_RequestCompletedCallback (may be NULL).
void *kx_mhd_start(const struct KXServerOptions *options,
                   void *access_handler, void *access_context,
                   void *completed_handler, void *completed_context);

/// The TCP port the daemon is bound to (useful after binding port 0), or 0.
uint16_t kx_mhd_bound_port(void *daemon);

#endif
