#include "mhd_shims.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <microhttpd.h>
#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>

#include <stdio.h>

// What the shim keeps per server: its own copy of the options (the callbacks' `cls`), the daemon,
// and the connections whose request line arrived but whose headers have not reached the access
// handler yet. microhttpd reports a malformed Content-Length through the logger, which does not name
// the connection; it is the one among them, on the logging thread, whose headers were received.
struct kx_server {
    struct KXServerOptions options;
    struct MHD_Daemon *daemon;
    pthread_mutex_t lock;
    struct kx_connection_note *reading_headers;
};

// Hung on each connection as its socket context from microhttpd's open notice to its close notice.
struct kx_connection_note {
    struct kx_server *server;
    struct MHD_Connection *connection;
    pthread_t thread;
    bool reading_headers;
    struct kx_connection_note *previous, *next;
};

static struct kx_connection_note *note_of(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info == NULL ? NULL : (struct kx_connection_note *)info->socket_context;
}

// Both with the server's lock held.
static void start_reading_headers(struct kx_connection_note *note) {
    if (note->reading_headers) return;
    note->reading_headers = true;
    note->previous = NULL;
    note->next = note->server->reading_headers;
    if (note->next != NULL) note->next->previous = note;
    note->server->reading_headers = note;
}

static void stop_reading_headers(struct kx_connection_note *note) {
    if (!note->reading_headers) return;
    note->reading_headers = false;
    if (note->previous != NULL) note->previous->next = note->next;
    else note->server->reading_headers = note->next;
    if (note->next != NULL) note->next->previous = note->previous;
    note->previous = note->next = NULL;
}

// The connection whose headers this thread is parsing, if exactly one qualifies. Connections are
// served by one thread each, so those of this thread are not changing under us; among them, only the
// one being parsed has its headers received (its header size is known).
static struct MHD_Connection *parsing_headers(struct kx_server *server) {
    struct MHD_Connection *found = NULL;
    pthread_mutex_lock(&server->lock);
    for (struct kx_connection_note *note = server->reading_headers; note != NULL; note = note->next) {
        if (!pthread_equal(note->thread, pthread_self())) continue;
        if (MHD_get_connection_info(note->connection, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE) == NULL) continue;
        if (found != NULL) {
            found = NULL;
            break;
        }
        found = note->connection;
    }
    pthread_mutex_unlock(&server->lock);
    return found;
}

// Answers `status` on a connection microhttpd has not answered yet, and ends it. A TLS connection
// is only ended: raw bytes would not be TLS.
static void refuse(const struct KXServerOptions *o, struct MHD_Connection *connection, const char *response, size_t length) {
    int fd = kx_mhd_connection_fd(connection);
    if (fd < 0) return;
    if (o->tls_cert_pem == NULL) (void)!send(fd, response, length, MSG_NOSIGNAL | MSG_DONTWAIT);
    shutdown(fd, SHUT_RDWR);
}

static void format_error(void *cls, const char *format, va_list arguments) {
    struct kx_server *server = cls;
    char message[512];
    vsnprintf(message, sizeof message, format, arguments);
    // microhttpd 0.9.75 answers a malformed Content-Length with its 400 header block written twice;
    // the client gets one clean 400 instead, before microhttpd writes anything. Where the connection
    // cannot be told for certain, microhttpd answers as it does.
    if (strstr(message, "Content-Length") != NULL) {
        struct MHD_Connection *connection = parsing_headers(server);
        if (connection != NULL) {
            static const char refusal[] = "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n"
                "Content-Type: text/plain; charset=utf-8\r\nContent-Length: 23\r\n\r\ninvalid Content-Length\n";
            refuse(&server->options, connection, refusal, sizeof refusal - 1);
        }
    }
    server->options.error_logger(server->options.context, message);
}

void kx_mhd_headers_complete(void *connection) {
    struct kx_connection_note *note = note_of(connection);
    if (note == NULL) return;
    pthread_mutex_lock(&note->server->lock);
    stop_reading_headers(note);
    pthread_mutex_unlock(&note->server->lock);
}

static size_t peer_bytes(const struct sockaddr *address, uint8_t out[16]) {
    if (address == NULL) return 0;
    if (address->sa_family == AF_INET) {
        memcpy(out, &((const struct sockaddr_in *)address)->sin_addr, 4);
        return 4;
    }
    if (address->sa_family == AF_INET6) {
        const struct in6_addr *v6 = &((const struct sockaddr_in6 *)address)->sin6_addr;
        if (IN6_IS_ADDR_V4MAPPED(v6)) {
            memcpy(out, &v6->s6_addr[12], 4);
            return 4;
        }
        memcpy(out, v6, 16);
        return 16;
    }
    return 0;
}

static enum MHD_Result accept_policy(void *cls, const struct sockaddr *address, socklen_t length) {
    (void)length;
    const struct KXServerOptions *o = &((struct kx_server *)cls)->options;
    uint8_t peer[16];
    size_t peer_length = peer_bytes(address, peer);
    return o->accept_policy(o->context, peer, peer_length) ? MHD_YES : MHD_NO;
}

static void connection_event(void *cls, struct MHD_Connection *connection, void **socket_context,
                             enum MHD_ConnectionNotificationCode code) {
    struct kx_server *server = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        struct kx_connection_note *note = calloc(1, sizeof *note);
        if (note != NULL) {
            note->server = server;
            note->connection = connection;
            note->thread = pthread_self();
        }
        *socket_context = note;
    } else {
        struct kx_connection_note *note = *socket_context;
        if (note != NULL) {
            pthread_mutex_lock(&server->lock);
            stop_reading_headers(note);
            pthread_mutex_unlock(&server->lock);
            free(note);
            *socket_context = NULL;
        }
    }
    server->options.connection_event(server->options.context, connection, code == MHD_CONNECTION_NOTIFY_CLOSED);
}

// Called with the raw request target before microhttpd splits off its query parameters: a target
// with more than the pool can hold would make microhttpd fail half-way and leave the client hanging.
static void *uri_received(void *cls, const char *uri, struct MHD_Connection *connection) {
    struct kx_server *server = cls;
    const struct KXServerOptions *o = &server->options;
    unsigned int parameters = 0;
    const char *query = strchr(uri, '?');
    for (const char *c = query; c != NULL && *c != '\0'; c++) {
        if (*c == '&' || *c == '?') parameters++;
    }
    if (parameters > o->max_query_parameters) {
        // Nothing was sent on this connection since the previous response ended.
        static const char refusal[] = "HTTP/1.1 414 URI Too Long\r\nConnection: close\r\n"
            "Content-Type: text/plain; charset=utf-8\r\nContent-Length: 26\r\n\r\ntoo many query parameters\n";
        refuse(o, connection, refusal, sizeof refusal - 1);
        o->error_logger(o->context, "request refused: too many query parameters (414)");
        return NULL;
    }
    struct kx_connection_note *note = note_of(connection);
    if (note != NULL) {
        pthread_mutex_lock(&server->lock);
        start_reading_headers(note);
        pthread_mutex_unlock(&server->lock);
    }
    return NULL;
}

// microhttpd's own unescaping turns %00 into a NUL that ends the path early (`/metrics%00` would
// be `/metrics`); this one leaves %00 as it is, so such a path matches no route.
static size_t unescape(void *cls, struct MHD_Connection *connection, char *text) {
    (void)cls;
    (void)connection;
    char *read = text, *write = text;
    while (*read != '\0') {
        unsigned int value;
        if (read[0] == '%' && read[1] != '\0' && read[2] != '\0' && sscanf(read + 1, "%2x", &value) == 1
            && strchr("0123456789abcdefABCDEF", read[1]) && strchr("0123456789abcdefABCDEF", read[2]) && value != 0) {
            *write++ = (char)value;
            read += 3;
        } else {
            *write++ = *read++;
        }
    }
    *write = '\0';
    return (size_t)(write - text);
}

static char *copy(const char *text) {
    return text == NULL ? NULL : strdup(text);
}

static void free_server(struct kx_server *server) {
    free((void *)server->options.tls_key_pem);
    free((void *)server->options.tls_cert_pem);
    free((void *)server->options.tls_trust_pem);
    free((void *)server->options.tls_priorities);
    pthread_mutex_destroy(&server->lock);
    free(server);
}

void *kx_mhd_start(const struct KXServerOptions *options, void *access_handler, void *completed_handler) {
    struct kx_server *server = calloc(1, sizeof *server);
    if (server == NULL) return NULL;
    server->options = *options;
    server->options.tls_key_pem = copy(options->tls_key_pem);
    server->options.tls_cert_pem = copy(options->tls_cert_pem);
    server->options.tls_trust_pem = copy(options->tls_trust_pem);
    server->options.tls_priorities = copy(options->tls_priorities);
    pthread_mutex_init(&server->lock, NULL);
    const struct KXServerOptions *o = &server->options;

    unsigned int pool = o->thread_pool_size > 1 ? o->thread_pool_size : 1;
    unsigned int flags = o->flags | MHD_USE_ERROR_LOG;
    struct MHD_OptionItem tls[5];
    size_t count = 0;
    if (o->tls_cert_pem != NULL) {
        flags |= MHD_USE_TLS;
        tls[count++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)o->tls_key_pem };
        tls[count++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)o->tls_cert_pem };
        if (o->tls_trust_pem != NULL) {
            tls[count++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_TRUST, 0, (void *)o->tls_trust_pem };
        }
        if (o->tls_priorities != NULL) {
            tls[count++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)o->tls_priorities };
        }
    }
    tls[count] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
    server->daemon = MHD_start_daemon(flags, 0, accept_policy, server,
        (MHD_AccessHandlerCallback)access_handler, o->context,
        MHD_OPTION_EXTERNAL_LOGGER, format_error, server,
        MHD_OPTION_LISTEN_SOCKET, (MHD_socket)o->listen_fd,
        MHD_OPTION_CONNECTION_LIMIT, o->connection_limit,
        MHD_OPTION_CONNECTION_TIMEOUT, o->connection_timeout_seconds,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, o->connection_memory_limit,
        MHD_OPTION_THREAD_POOL_SIZE, pool,
        MHD_OPTION_NOTIFY_COMPLETED, (MHD_RequestCompletedCallback)completed_handler, o->context,
        MHD_OPTION_NOTIFY_CONNECTION, connection_event, server,
        MHD_OPTION_URI_LOG_CALLBACK, uri_received, server,
        MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
        MHD_OPTION_ARRAY, tls,
        MHD_OPTION_END);
    if (server->daemon == NULL) {
        free_server(server);
        return NULL;
    }
    return server;
}

void kx_mhd_stop(void *server) {
    MHD_stop_daemon(((struct kx_server *)server)->daemon);
    free_server(server);
}

unsigned int kx_mhd_open_connections(void *server) {
    const union MHD_DaemonInfo *info =
        MHD_get_daemon_info(((struct kx_server *)server)->daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
    return info == NULL ? 0 : info->num_connections;
}

int kx_mhd_connection_fd(void *connection) {
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info((struct MHD_Connection *)connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    return info == NULL ? -1 : info->connect_fd;
}

size_t kx_mhd_connection_peer(void *connection, uint8_t out[16]) {
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info((struct MHD_Connection *)connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    return info == NULL ? 0 : peer_bytes(info->client_addr, out);
}

int kx_mhd_client_certificate(void *connection) {
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info((struct MHD_Connection *)connection, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    if (info == NULL || info->tls_session == NULL) return -1;
    gnutls_session_t session = (gnutls_session_t)info->tls_session;
    unsigned int listed = 0;
    if (gnutls_certificate_get_peers(session, &listed) == NULL || listed == 0) return 1;
    unsigned int status = 0;
    if (gnutls_certificate_verify_peers2(session, &status) != GNUTLS_E_SUCCESS || status != 0) return 2;
    return 0;
}

void kx_sha256(const void *data, size_t length, uint8_t out[32]) {
    gnutls_hash_fast(GNUTLS_DIG_SHA256, data, length, out);
}

const char *kx_tls_check(const char *cert_pem, const char *key_pem, const char *trust_pem) {
    gnutls_certificate_credentials_t credentials;
    if (gnutls_certificate_allocate_credentials(&credentials) != GNUTLS_E_SUCCESS) return "cannot allocate TLS credentials";
    gnutls_datum_t cert = { (unsigned char *)cert_pem, (unsigned int)strlen(cert_pem) };
    gnutls_datum_t key = { (unsigned char *)key_pem, (unsigned int)strlen(key_pem) };
    int result = gnutls_certificate_set_x509_key_mem(credentials, &cert, &key, GNUTLS_X509_FMT_PEM);
    if (result >= 0 && trust_pem != NULL) {
        gnutls_datum_t trust = { (unsigned char *)trust_pem, (unsigned int)strlen(trust_pem) };
        result = gnutls_certificate_set_x509_trust_mem(credentials, &trust, GNUTLS_X509_FMT_PEM);
        if (result == 0) result = GNUTLS_E_NO_CERTIFICATE_FOUND;
    }
    gnutls_certificate_free_credentials(credentials);
    return result < 0 ? gnutls_strerror(result) : NULL;
}
