#ifndef KX_HEALTH_GET_H
#define KX_HEALTH_GET_H

#include <stddef.h>

/// `GET path` from host:port and the response's status code, for `kafka-exporter healthcheck`.
/// Over TLS when `use_tls` is set: the server's certificate is not verified (the check asks its own
/// exporter, whose certificate need not name the address it asks), and `cert_pem`/`key_pem`, when
/// not NULL, are presented as the client certificate. Connecting, the handshake, sending and
/// receiving each give up after `timeout_ms`.
/// Returns the status code (100–599), or -1 with a one-line reason written to `error`.
int kx_health_get(const char *host, const char *port, const char *path, int use_tls,
                  const char *cert_pem, const char *key_pem, int timeout_ms,
                  char *error, size_t error_size);

#endif
