import Logging
import Support
import Testing
import TestSupport

@Suite struct ProblemLogTests {
    @Test func aLastingProblemIsLoggedWhenItStartsChangesAndEnds() {
        let lines = CapturedLog()
        let log = ProblemLog<String>("step failed", recovery: "step recovered", logger: lines.logger)
        log.report(nil, for: "a")
        log.report("timeout", for: "a")
        log.report("timeout", for: "a")
        log.report("refused", for: "a")
        log.report("timeout", for: "b")
        log.report(nil, for: "a")
        log.report(nil, for: "a")
        #expect(lines.lines == [
            "warning step failed error=timeout",
            "warning step failed error=refused",
            "warning step failed error=timeout",
            "info step recovered",
        ])
    }

    @Test func withoutARecoveryMessageTheEndIsSilent() {
        let lines = CapturedLog()
        let log = ProblemLog<Int>("librdkafka error", logger: lines.logger)
        log.report("down", for: 1)
        log.report(nil, for: 1)
        log.report("down", for: 1)
        #expect(lines.lines == ["warning librdkafka error error=down", "warning librdkafka error error=down"])
    }
}
