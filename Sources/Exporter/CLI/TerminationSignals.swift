import Dispatch
import Glibc
import Support

/// SIGINT and SIGTERM, caught from the moment this is made: made before the exporter starts, a signal
/// that arrives while it starts is not lost. After the first, another one ends the process at once
/// with status 128 + its number, as a shell reports a process killed by it: the impatient operator's
/// way out of a shutdown that takes too long.
final class TerminationSignals {
    private final class First: Sendable {
        let number = Locked<Int32?>(nil)
        let received = DispatchSemaphore(value: 0)
    }

    private let first = First()
    private let sources: [any DispatchSourceSignal]

    init() {
        sources = [SIGINT, SIGTERM].map { [first] number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                let isFirst = first.number.withLock { first in
                    defer { if first == nil { first = number } }
                    return first == nil
                }
                guard isFirst else { exit(128 + number) }
                first.received.signal()
            }
            source.resume()
            return source
        }
    }

    deinit {
        sources.forEach { $0.cancel() }
    }

    /// Blocks until the first signal and returns its number.
    func wait() -> Int32 {
        first.received.wait()
        return first.number.withLock { $0 ?? 0 }
    }
}
