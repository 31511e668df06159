import Synchronization

/// The bytes of request bodies all connections may hold at once (`--web.max-body-bytes-in-flight`):
/// a request declaring more than what is left is answered 503 before its body is read, so many clients
/// sending large bodies together cannot exhaust memory. Shared by every listen address.
package final class BodyBudget: Sendable {
    package let limit: Int
    private let reserved = Atomic<Int>(0)

    package init(limit: Int = 64 << 20) {
        self.limit = limit
    }

    /// Reserves `bytes`, or returns false (reserving nothing) when that would exceed the limit.
    func reserve(_ bytes: Int) -> Bool {
        guard bytes > 0 else { return true }
        var current = reserved.load(ordering: .relaxed)
        while true {
            guard current + bytes <= limit else { return false }
            let (exchanged, original) = reserved.compareExchange(
                expected: current, desired: current + bytes, ordering: .acquiringAndReleasing)
            if exchanged { return true }
            current = original
        }
    }

    func release(_ bytes: Int) {
        guard bytes > 0 else { return }
        reserved.subtract(bytes, ordering: .acquiringAndReleasing)
    }

    /// Bytes reserved now.
    package var inUse: Int { reserved.load(ordering: .relaxed) }
}
