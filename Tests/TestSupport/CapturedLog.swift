import Logging
import Support

/// A logger whose lines are kept, as `level message error=...`, for tests to read.
package final class CapturedLog: Sendable {
    private let captured = Locked<[String]>([])

    package init() {}

    package var logger: Logger {
        .events { [captured] event in
            let error = event.metadata?["error"].map { " error=\($0)" } ?? ""
            captured.withLock { $0.append("\(event.level) \(event.message)\(error)") }
        }
    }

    package var lines: [String] { captured.withLock { $0 } }

    package func contains(_ text: String) -> Bool {
        lines.contains { $0.contains(text) }
    }
}
