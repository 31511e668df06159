import Dispatch

/// Runs work over and over on a thread of its own until stopped. librdkafka calls block, so they stay
/// off Swift's shared thread pool; every poller, reader and schedule in the exporter runs on one of these.
///
/// The thread holds the work only while it runs: an owner that passes closures capturing itself is
/// released once the loop has stopped.
package final class BackgroundLoop: Sendable {
    private enum Phase {
        case idle
        /// `finished` is left once the thread is done with `finish`.
        case running(finished: DispatchGroup)
        case stopped(finished: DispatchGroup?)
    }

    package let name: String
    private let stopFlag = StopFlag()
    private let wake = DispatchSemaphore(value: 0)
    private let phase = Locked(Phase.idle)

    package init(name: String) {
        self.name = name
    }

    /// True once `stop()` was called; long passes may check it to end early.
    package var isStopping: Bool { stopFlag.isRaised }

    /// Starts calling `pass` until stopped; each pass returns how long to wait before the next one
    /// (`stop()` cuts the wait short). `finish` runs on the loop's thread after the last pass.
    /// Does nothing if the loop was started or stopped before.
    package func start(finish: @escaping @Sendable () -> Void = {}, pass: @escaping @Sendable () -> Duration) {
        let finished = DispatchGroup()
        let starts = phase.withLock { phase -> Bool in
            guard case .idle = phase else { return false }
            phase = .running(finished: finished)
            return true
        }
        guard starts else { return }
        finished.enter()
        Threads.detach(name: name) { [stopFlag, wake] in
            while !stopFlag.isRaised {
                let pause = pass()
                if pause > .zero, !stopFlag.isRaised { _ = wake.wait(timeout: .now() + pause.seconds) }
            }
            finish()
            finished.leave()
        }
    }

    /// Asks the loop to stop and waits for the pass in progress and `finish`; a loop that never started
    /// just stays stopped. With `limit`, waits at most that long and returns false if the thread is
    /// still busy (it ends on its own once the pass and `finish` return). Every call waits anew, so a
    /// second `stop()` after one that timed out tells whether the thread is done by now.
    @discardableResult
    package func stop(waitingAtMost limit: Duration? = nil) -> Bool {
        let running = phase.withLock { phase -> DispatchGroup? in
            switch phase {
            case .idle:
                phase = .stopped(finished: nil)
                return nil
            case .running(let finished), .stopped(let finished?):
                phase = .stopped(finished: finished)
                return finished
            case .stopped(nil):
                return nil
            }
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
