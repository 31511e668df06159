#include "mhd_shims.h"

#include <stdarg.h>
#include <sys/types.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <microhttpd.h>

#include <stdio.h>

// Every daemon hands its errors to the same Swift function; its context tells the daemons apart.
static void (*error_logger)(void *context, const char *message);

static void format_error(void *context, const char *format, va_list arguments) {
    char message[512];
    vsnprintf(message, sizeof message, format, arguments);
    error_logger(context, message);
}

void *kx_mhd_start(const struct KXServerOptions *o,
                   void *access_handler, void *access_context,
                   void *completed_handler, void *completed_context) {
    unsigned int pool = o->thread_pool_size > 1 ? o->thread_pool_size : 1;
    error_logger = o->error_logger;
    unsigned int flags = o->flags | MHD_USE_ERROR_LOG;
    // A NULL MHD_OPTION_SOCK_ADDR means "every address, on the port argument".
    return MHD_start_daemon(flags, o->port, NULL, NULL,
        (MHD_AccessHandlerCallback)access_handler, access_context,
        MHD_OPTION_EXTERNAL_LOGGER, format_error, o->error_logger_context,
        MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)o->bind_address,
        MHD_OPTION_CONNECTION_LIMIT, o->connection_limit,
        MHD_OPTION_CONNECTION_TIMEOUT, o->connection_timeout_seconds,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, o->connection_memory_limit,
        MHD_OPTION_THREAD_POOL_SIZE, pool,
        MHD_OPTION_NOTIFY_COMPLETED, (MHD_RequestCompletedCallback)completed_handler, completed_context,
        MHD_OPTION_END);
}

uint16_t kx_mhd_bound_port(void *daemon) {
    const union MHD_DaemonInfo *info =
        MHD_get_daemon_info((struct MHD_Daemon *)daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info == NULL ? 0 : info->port;
}
