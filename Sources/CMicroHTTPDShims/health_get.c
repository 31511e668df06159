#include "health_get.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <gnutls/gnutls.h>

static int fail(char *error, size_t size, const char *format, ...) {
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(error, size, format, arguments);
    va_end(arguments);
    return -1;
}

/// A connected socket with send and receive timeouts, or -1.
static int connect_within(const struct addrinfo *address, int timeout_ms, char *error, size_t size) {
    int fd = socket(address->ai_family, address->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, address->ai_protocol);
    if (fd < 0) return fail(error, size, "socket: %s", strerror(errno));
    if (connect(fd, address->ai_addr, address->ai_addrlen) != 0) {
        struct pollfd writable = { .fd = fd, .events = POLLOUT };
        int ready = errno == EINPROGRESS ? poll(&writable, 1, timeout_ms) : -1;
        int status = errno;
        socklen_t length = sizeof status;
        if (ready == 0) status = ETIMEDOUT;
        else if (ready > 0) getsockopt(fd, SOL_SOCKET, SO_ERROR, &status, &length);
        if (ready <= 0 || status != 0) {
            close(fd);
            return fail(error, size, "connect: %s", strerror(status));
        }
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    struct timeval limit = { .tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
    return fd;
}

/// The status code of a response whose start is in `head`, or -1.
static int status_code(const char *head) {
    int major, minor, code;
    if (sscanf(head, "HTTP/%d.%d %3d", &major, &minor, &code) != 3 || code < 100 || code > 599) return -1;
    return code;
}

static int exchange_plain(int fd, const char *request, char *head, size_t head_size) {
    size_t length = strlen(request);
    if (send(fd, request, length, MSG_NOSIGNAL) != (ssize_t)length) return -1;
    size_t filled = 0;
    while (filled < head_size - 1 && memchr(head, '\n', filled) == NULL) {
        ssize_t received = recv(fd, head + filled, head_size - 1 - filled, 0);
        if (received <= 0) break;
        filled += (size_t)received;
    }
    head[filled] = '\0';
    return filled > 0 ? 0 : -1;
}

static int exchange_tls(int fd, const char *request, const char *cert_pem, const char *key_pem, int timeout_ms,
                        char *head, size_t head_size, char *error, size_t size) {
    gnutls_certificate_credentials_t credentials;
    gnutls_session_t session;
    int result = gnutls_certificate_allocate_credentials(&credentials);
    if (result < 0) return fail(error, size, "TLS: %s", gnutls_strerror(result));
    if (cert_pem != NULL && key_pem != NULL) {
        gnutls_datum_t cert = { (unsigned char *)cert_pem, (unsigned int)strlen(cert_pem) };
        gnutls_datum_t key = { (unsigned char *)key_pem, (unsigned int)strlen(key_pem) };
        result = gnutls_certificate_set_x509_key_mem(credentials, &cert, &key, GNUTLS_X509_FMT_PEM);
    }
    if (result >= 0) result = gnutls_init(&session, GNUTLS_CLIENT);
    if (result < 0) {
        gnutls_certificate_free_credentials(credentials);
        return fail(error, size, "TLS: %s", gnutls_strerror(result));
    }
    gnutls_set_default_priority(session);
    gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE, credentials);
    gnutls_transport_set_int(session, fd);
    gnutls_handshake_set_timeout(session, (unsigned int)timeout_ms);
    do {
        result = gnutls_handshake(session);
    } while (result < 0 && !gnutls_error_is_fatal(result));
    if (result < 0) {
        fail(error, size, "TLS handshake: %s", gnutls_strerror(result));
    } else {
        size_t length = strlen(request);
        ssize_t sent = gnutls_record_send(session, request, length);
        size_t filled = 0;
        ssize_t received = 0;
        while (sent == (ssize_t)length && filled < head_size - 1 && memchr(head, '\n', filled) == NULL) {
            received = gnutls_record_recv(session, head + filled, head_size - 1 - filled);
            if (received == GNUTLS_E_INTERRUPTED) continue;
            if (received <= 0) break;
            filled += (size_t)received;
        }
        head[filled] = '\0';
        if (sent < 0) result = fail(error, size, "TLS: %s", gnutls_strerror((int)sent));
        else if (filled == 0) result = fail(error, size, "TLS: %s", received == GNUTLS_E_AGAIN ? "no response: timed out"
                                                            : received < 0 ? gnutls_strerror((int)received) : "no response");
    }
    gnutls_deinit(session);
    gnutls_certificate_free_credentials(credentials);
    return result < 0 ? -1 : 0;
}

int kx_health_get(const char *host, const char *port, const char *path, int use_tls,
                  const char *cert_pem, const char *key_pem, int timeout_ms,
                  char *error, size_t error_size) {
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV };
    struct addrinfo *addresses;
    int resolved = getaddrinfo(host, port, &hints, &addresses);
    if (resolved != 0) return fail(error, error_size, "cannot resolve %s: %s", host, gai_strerror(resolved));
    int fd = connect_within(addresses, timeout_ms, error, error_size);
    freeaddrinfo(addresses);
    if (fd < 0) return -1;

    char request[512];
    snprintf(request, sizeof request, "GET %s HTTP/1.0\r\n\r\n", path);
    char head[256];
    errno = 0;
    int exchanged = use_tls
        ? exchange_tls(fd, request, cert_pem, key_pem, timeout_ms, head, sizeof head, error, error_size)
        : exchange_plain(fd, request, head, sizeof head);
    int receive_error = errno;
    close(fd);
    if (exchanged < 0) {
        return use_tls ? -1 : fail(error, error_size, "no response: %s", receive_error == EAGAIN ? "timed out"
                                                                    : receive_error ? strerror(receive_error) : "connection closed");
    }
    int code = status_code(head);
    return code < 0 ? fail(error, error_size, "not an HTTP response") : code;
}
