import Foundation
import Kafka

/// Runs collection cycles on a thread of its own (librdkafka calls block), one every `interval`
/// measured from the start of the previous cycle; a cycle that overruns is followed at once by the next.
final class CollectionScheduler: Sendable {
    private let interval: Duration
    private let cycle: @Sendable () -> Void
    private let stopFlag = StopFlag()
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)

    init(interval: Duration, cycle: @escaping @Sendable () -> Void) {
        self.interval = interval
        self.cycle = cycle
    }

    func start() {
        let thread = Thread { [self] in
            while !stopFlag.isRaised {
                let started = ContinuousClock.now
                cycle()
                let remaining = interval - (ContinuousClock.now - started)
                if remaining > .zero {
                    _ = wake.wait(timeout: .now() + remaining.seconds)
                }
            }
            finished.signal()
        }
        thread.name = "collector"
        thread.start()
    }

    /// Asks the loop to stop and waits for the cycle in progress to end.
    func stop() {
        stopFlag.raise()
        wake.signal()
        finished.wait()
    }
}
