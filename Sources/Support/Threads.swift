import CThreadName
import Glibc

/// Threads of their own for blocking work (librdkafka calls), as POSIX threads: Foundation's `Thread`
/// would link full Foundation and ICU into the binary.
package enum Threads {
    /// Runs `body` on a new detached thread; `name` is what `top -H` and `/proc/…/comm` show
    /// (Linux keeps its first 15 bytes).
    package static func detach(name: String? = nil, _ body: @escaping @Sendable () -> Void) {
        let start = Unmanaged.passRetained(Start(name: name, body: body)).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        var thread = pthread_t()
        let status = pthread_create(&thread, &attributes, { argument in
            Unmanaged<Start>.fromOpaque(argument!).takeRetainedValue().run()
            return nil
        }, start)
        precondition(status == 0, "pthread_create failed: \(status)")
    }

    /// Blocks the calling thread for `duration`.
    package static func sleep(for duration: Duration) {
        let (seconds, attoseconds) = duration.components
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }

    private final class Start {
        let name: String?
        let body: @Sendable () -> Void

        init(name: String?, body: @escaping @Sendable () -> Void) {
            self.name = name
            self.body = body
        }

        func run() {
            if let name { _ = kx_set_thread_name(name) }
            body()
        }
    }
}
