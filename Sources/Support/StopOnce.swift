import Synchronization

/// True exactly once, for idempotent shutdowns.
package final class StopOnce: Sendable {
    private let done = Mutex(false)

    package init() {}

    package func first() -> Bool {
        done.withLock { done in
            defer { done = true }
            return !done
        }
    }
}
