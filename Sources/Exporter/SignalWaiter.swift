import Dispatch
import Foundation
import Synchronization

/// Waits for SIGINT or SIGTERM, then runs the shutdown. A second signal during the shutdown ends the
/// process at once with status 128 + its number, as a shell reports a process killed by it: the
/// impatient operator's way out of a shutdown that takes too long.
enum SignalWaiter {
    static func waitForTermination(thenShutDown shutDown: (_ signal: Int32) -> Void) {
        let received = DispatchSemaphore(value: 0)
        let first = Mutex<Int32?>(nil)
        let sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                let isFirst = first.withLock { first in
                    defer { if first == nil { first = number } }
                    return first == nil
                }
                guard isFirst else { exit(128 + number) }
                received.signal()
            }
            source.resume()
            return source
        }
        received.wait()
        shutDown(first.withLock { $0 ?? 0 })
        sources.forEach { $0.cancel() }
    }
}
