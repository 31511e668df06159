// Preloaded into the ThreadSanitizer run only (scripts/test-memory).
//
// glibc's C11 thread functions call its pthread functions internally, past ThreadSanitizer's
// interceptors. librdkafka starts its threads with thrd_create and locks with mtx_/cnd_, so without
// this ThreadSanitizer knows none of its threads (the first malloc on one crashes it) and sees none
// of its locking (every value passed through a librdkafka queue would look like a race). These
// definitions take precedence over glibc's and go through the public pthread functions, which
// ThreadSanitizer intercepts; glibc lays mtx_t and cnd_t out as pthread_mutex_t and pthread_cond_t.
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <threads.h>

static int c11(int code) {
    switch (code) {
    case 0: return thrd_success;
    case ETIMEDOUT: return thrd_timedout;
    case EBUSY: return thrd_busy;
    case ENOMEM: return thrd_nomem;
    default: return thrd_error;
    }
}

struct start { thrd_start_t function; void *argument; };

static void *trampoline(void *opaque) {
    struct start start = *(struct start *)opaque;
    free(opaque);
    return (void *)(intptr_t)start.function(start.argument);
}

int thrd_create(thrd_t *thread, thrd_start_t function, void *argument) {
    struct start *start = malloc(sizeof *start);
    if (start == NULL) return thrd_nomem;
    *start = (struct start){ function, argument };
    int code = pthread_create(thread, NULL, trampoline, start);
    if (code != 0) free(start);
    return c11(code);
}

int thrd_join(thrd_t thread, int *result) {
    void *returned = NULL;
    int code = pthread_join(thread, &returned);
    if (code == 0 && result != NULL) *result = (int)(intptr_t)returned;
    return c11(code);
}

int thrd_detach(thrd_t thread) { return c11(pthread_detach(thread)); }

_Noreturn void thrd_exit(int result) { pthread_exit((void *)(intptr_t)result); }

int mtx_init(mtx_t *mutex, int type) {
    pthread_mutexattr_t attributes;
    pthread_mutexattr_init(&attributes);
    if (type & mtx_recursive) pthread_mutexattr_settype(&attributes, PTHREAD_MUTEX_RECURSIVE);
    int code = pthread_mutex_init((pthread_mutex_t *)mutex, &attributes);
    pthread_mutexattr_destroy(&attributes);
    return c11(code);
}

int mtx_lock(mtx_t *mutex) { return c11(pthread_mutex_lock((pthread_mutex_t *)mutex)); }
int mtx_trylock(mtx_t *mutex) { return c11(pthread_mutex_trylock((pthread_mutex_t *)mutex)); }
int mtx_timedlock(mtx_t *restrict mutex, const struct timespec *restrict until) {
    return c11(pthread_mutex_timedlock((pthread_mutex_t *)mutex, until));
}
int mtx_unlock(mtx_t *mutex) { return c11(pthread_mutex_unlock((pthread_mutex_t *)mutex)); }
void mtx_destroy(mtx_t *mutex) { pthread_mutex_destroy((pthread_mutex_t *)mutex); }

int cnd_init(cnd_t *condition) { return c11(pthread_cond_init((pthread_cond_t *)condition, NULL)); }
int cnd_signal(cnd_t *condition) { return c11(pthread_cond_signal((pthread_cond_t *)condition)); }
int cnd_broadcast(cnd_t *condition) { return c11(pthread_cond_broadcast((pthread_cond_t *)condition)); }
int cnd_wait(cnd_t *condition, mtx_t *mutex) {
    return c11(pthread_cond_wait((pthread_cond_t *)condition, (pthread_mutex_t *)mutex));
}
int cnd_timedwait(cnd_t *restrict condition, mtx_t *restrict mutex, const struct timespec *restrict until) {
    return c11(pthread_cond_timedwait((pthread_cond_t *)condition, (pthread_mutex_t *)mutex, until));
}
void cnd_destroy(cnd_t *condition) { pthread_cond_destroy((pthread_cond_t *)condition); }
