import Foundation
import Synchronization

/// Runs work over and over on a thread of its own until stopped. librdkafka calls block, so they stay
/// off Swift's shared thread pool; every poller, reader and schedule in the exporter runs on one of these.
///
/// The thread holds the work only while it runs: an owner that passes closures capturing itself is
/// released once the loop has stopped.
package final class BackgroundLoop: Sendable {
    private enum Phase {
        case idle
        case running(finished: DispatchSemaphore)
        case stopped
    }

    package let name: String
    private let stopFlag = StopFlag()
    private let wake = DispatchSemaphore(value: 0)
    private let phase = Mutex(Phase.idle)

    package init(name: String) {
        self.name = name
    }

    /// True once `stop()` was called; long passes may check it to end early.
    package var isStopping: Bool { stopFlag.isRaised }

    /// Starts calling `pass` until stopped; each pass returns how long to wait before the next one
    /// (`stop()` cuts the wait short). `finish` runs on the loop's thread after the last pass.
    /// Does nothing if the loop was started or stopped before.
    package func start(finish: @escaping @Sendable () -> Void = {}, pass: @escaping @Sendable () -> Duration) {
        let finished = DispatchSemaphore(value: 0)
        let starts = phase.withLock { phase -> Bool in
            guard case .idle = phase else { return false }
            phase = .running(finished: finished)
            return true
        }
        guard starts else { return }
        let thread = Thread { [stopFlag, wake] in
            while !stopFlag.isRaised {
                let pause = pass()
                if pause > .zero, !stopFlag.isRaised { _ = wake.wait(timeout: .now() + pause.seconds) }
            }
            finish()
            finished.signal()
        }
        thread.name = name
        thread.start()
    }

    /// Asks the loop to stop and waits for the pass in progress and `finish`; idempotent, and a loop
    /// that never started just stays stopped. With `limit`, waits at most that long and returns
    /// false if the pass is still running (the thread ends on its own once the pass returns).
    @discardableResult
    package func stop(waitingAtMost limit: Duration? = nil) -> Bool {
        let running = phase.withLock { phase -> DispatchSemaphore? in
            defer { phase = .stopped }
            if case .running(let finished) = phase { return finished }
            return nil
        }
        stopFlag.raise()
        wake.signal()
        guard let running else { return true }
        guard let limit else {
            running.wait()
            return true
        }
        return running.wait(timeout: .now() + limit.seconds) == .success
    }
}
