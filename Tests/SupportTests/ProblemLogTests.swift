import Logging
import Support
import Synchronization
import Testing

@Suite struct ProblemLogTests {
    /// Collects what is logged, as `level message error=...`.
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])

        var logger: Logger {
            Logger(label: "test") { _ in Handler(lines: self) }
        }

        struct Handler: LogHandler {
            let lines: Lines
            var metadata: Logger.Metadata = [:]
            var logLevel: Logger.Level = .trace

            subscript(metadataKey key: String) -> Logger.Metadata.Value? {
                get { metadata[key] }
                set { metadata[key] = newValue }
            }

            func log(event: LogEvent) {
                let error = event.metadata?["error"].map { " error=\($0)" } ?? ""
                lines.lines.withLock { $0.append("\(event.level) \(event.message)\(error)") }
            }
        }
    }

    @Test func aLastingProblemIsLoggedWhenItStartsChangesAndEnds() {
        let lines = Lines()
        let log = ProblemLog<String>("step failed", recovery: "step recovered", logger: lines.logger)
        log.report(nil, for: "a")
        log.report("timeout", for: "a")
        log.report("timeout", for: "a")
        log.report("refused", for: "a")
        log.report("timeout", for: "b")
        log.report(nil, for: "a")
        log.report(nil, for: "a")
        #expect(lines.lines.withLock { $0 } == [
            "warning step failed error=timeout",
            "warning step failed error=refused",
            "warning step failed error=timeout",
            "info step recovered",
        ])
    }

    @Test func withoutARecoveryMessageTheEndIsSilent() {
        let lines = Lines()
        let log = ProblemLog<Int>("librdkafka error", logger: lines.logger)
        log.report("down", for: 1)
        log.report(nil, for: 1)
        log.report("down", for: 1)
        #expect(lines.lines.withLock { $0 } == ["warning librdkafka error error=down", "warning librdkafka error error=down"])
    }
}
