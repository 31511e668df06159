import Dispatch

/// Runs blocking work (librdkafka calls) on a thread of its own while the caller does something else.
package final class Concurrently<Value: Sendable>: Sendable {
    private let result = Locked<Value?>(nil)
    private let done = DispatchSemaphore(value: 0)

    package static func start(_ work: @escaping @Sendable () -> Value) -> Concurrently<Value> {
        let task = Concurrently<Value>()
        Threads.detach {
            let value = work()
            task.result.withLock { $0 = value }
            task.done.signal()
        }
        return task
    }

    package func wait() -> Value {
        done.wait()
        return result.withLock { $0! }
    }
}
