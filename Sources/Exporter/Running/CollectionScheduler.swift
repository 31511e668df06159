import Support

/// Runs collection cycles on a thread of its own (librdkafka calls block), one every `interval`
/// measured from the start of the previous cycle; a cycle that overruns is followed at once by the next.
final class CollectionScheduler: Sendable {
    private let interval: Duration
    private let cycle: @Sendable () -> Void
    private let loop = BackgroundLoop(name: "collector")

    init(interval: Duration, cycle: @escaping @Sendable () -> Void) {
        self.interval = interval
        self.cycle = cycle
    }

    func start() {
        loop.start { [interval, cycle] in
            let started = ContinuousClock.now
            cycle()
            return interval - (ContinuousClock.now - started)
        }
    }

    /// Asks the loop to stop and waits for the cycle in progress to end, or at most `limit`;
    /// false when the cycle is still running.
    @discardableResult
    func stop(waitingAtMost limit: Duration? = nil) -> Bool {
        loop.stop(waitingAtMost: limit)
    }
}
