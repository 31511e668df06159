import Dispatch
import Foundation
import Synchronization

/// Blocks until SIGINT or SIGTERM arrives.
enum SignalWaiter {
    static func waitForTermination() -> Int32 {
        let received = DispatchSemaphore(value: 0)
        let signalNumber = Mutex<Int32>(0)
        let sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                signalNumber.withLock { $0 = number }
                received.signal()
            }
            source.resume()
            return source
        }
        received.wait()
        sources.forEach { $0.cancel() }
        return signalNumber.withLock { $0 }
    }
}
