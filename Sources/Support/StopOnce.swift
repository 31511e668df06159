
/// True exactly once, for idempotent shutdowns.
package final class StopOnce: Sendable {
    private let done = Locked(false)

    package init() {}

    package func first() -> Bool {
        done.withLock { done in
            defer { done = true }
            return !done
        }
    }
}
