import Synchronization

/// The most recent value one thread hands to readers on other threads.
package final class LatestValue<Value: Sendable>: Sendable {
    private let stored = Mutex<Value?>(nil)

    package init() {}

    package func set(_ value: Value) { stored.withLock { $0 = value } }
    package var value: Value? { stored.withLock { $0 } }
}
