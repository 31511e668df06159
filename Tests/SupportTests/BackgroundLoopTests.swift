import Dispatch
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
        release.signal()
        #expect(finished.wait(timeout: .now() + 10) == .success, "the thread ends once the pass returns")
        #expect(loop.stop(), "stopping again is a no-op")
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
