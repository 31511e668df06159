import Dispatch
import Foundation
import Support
import Testing

/// A bounded stop gives up on a pass that does not end (a Kafka request waiting for its deadline),
/// and the thread still finishes once the pass returns.
@Suite struct BackgroundLoopTests {
    @Test func aBoundedStopReturnsWhileThePassStillRuns() {
        let loop = BackgroundLoop(name: "blocked")
        let entered = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0), finished = DispatchSemaphore(value: 0)
        loop.start(finish: { finished.signal() }) {
            entered.signal()
            release.wait()
            return .seconds(60)
        }
        entered.wait()
        let started = ContinuousClock.now
        #expect(loop.stop(waitingAtMost: .milliseconds(200)) == false)
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(finished.wait(timeout: .now()) == .timedOut, "the pass is still running")
        #expect(loop.stop(waitingAtMost: .milliseconds(100)) == false, "a second stop waits anew, and tells the truth")
        release.signal()
        #expect(finished.wait(timeout: .now() + 10) == .success, "the thread ends once the pass returns")
        #expect(loop.stop(), "stopped by now")
    }

    @Test func everyStopWaitsForTheFinishStillRunning() {
        let loop = BackgroundLoop(name: "closing")
        let entered = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        loop.start(finish: { entered.signal(); release.wait() }) { .zero }
        #expect(loop.stop(waitingAtMost: .milliseconds(100)) == false)
        entered.wait()
        let waiters = (0..<2).map { _ in
            let done = DispatchSemaphore(value: 0)
            Thread { loop.stop(); done.signal() }.start()
            return done
        }
        #expect(waiters.allSatisfy { $0.wait(timeout: .now() + 0.2) == .timedOut }, "no stop returns while finish runs")
        release.signal()
        #expect(waiters.allSatisfy { $0.wait(timeout: .now() + 10) == .success })
    }

    @Test func aBoundedStopWaitsForAPassThatEndsInTime() {
        let loop = BackgroundLoop(name: "quick")
        let entered = DispatchSemaphore(value: 0)
        loop.start {
            entered.signal()
            return .seconds(60)
        }
        entered.wait()
        #expect(loop.stop(waitingAtMost: .seconds(10)) == true)
    }
}
