import Synchronization

/// The bug of the incident this project was started for, switchable while the demo runs: a producer
/// burst fills the router's small local queue (`BufferError: Local: Queue full`), the router retries,
/// and its retry counter is never reset, so from then on it "retries" — produces again — every record.
package final class RetryBug: Sendable {
    private let enabled = Atomic<Bool>(false)
    private let burstRequested = Atomic<Bool>(false)

    package init() {}

    package var isEnabled: Bool { enabled.load(ordering: .acquiring) }

    /// Turns the bug on and asks the demo producer for the burst that sets it off.
    package func inject() {
        guard !enabled.exchange(true, ordering: .acquiringAndReleasing) else { return }
        burstRequested.store(true, ordering: .releasing)
    }

    /// Asks the demo producer for the burst alone: the router's queue fills and it retries, but without
    /// the bug each record still goes out once (a burst is not the incident; the counter is).
    package func requestBurst() {
        burstRequested.store(true, ordering: .releasing)
    }

    /// True once after `inject()` or `requestBurst()`: the producer then sends its burst.
    func takeBurstRequest() -> Bool {
        burstRequested.exchange(false, ordering: .acquiringAndReleasing)
    }
}
