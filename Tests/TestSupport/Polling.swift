import Foundation
import Support

/// Asks `condition` every 50 ms until it holds or `timeout` has passed; true if it held. Tests poll
/// for what they wait for instead of sleeping a fixed time.
package func poll(within timeout: Duration, until condition: () -> Bool) -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        Thread.sleep(forTimeInterval: 0.05)
    }
    return condition()
}

/// Runs `work` on a thread of its own (not Dispatch's pool, which busy tests can exhaust); the
/// semaphore is signalled when it returns.
package func inBackground(_ work: @escaping @Sendable () -> Void) -> DispatchSemaphore {
    let done = DispatchSemaphore(value: 0)
    Thread {
        work()
        done.signal()
    }.start()
    return done
}

/// Runs `work` on a thread of its own; false if it has not returned within `limit` (it keeps running).
package func returns(within limit: Duration, _ work: @escaping @Sendable () -> Void) -> Bool {
    inBackground(work).wait(timeout: .now() + limit.seconds) == .success
}
