import Logging
import Support

/// A logger whose lines are kept, as `level message error=...`, for tests to read.
package final class CapturedLog: Sendable {
    private let captured = Locked<[String]>([])

    package init() {}

    package var logger: Logger {
        Logger(label: "test") { _ in Handler(log: self) }
    }

    package var lines: [String] { captured.withLock { $0 } }

    package func contains(_ text: String) -> Bool {
        lines.contains { $0.contains(text) }
    }

    private struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let error = event.metadata?["error"].map { " error=\($0)" } ?? ""
            log.captured.withLock { $0.append("\(event.level) \(event.message)\(error)") }
        }
    }
}
