import Logging

/// Logs a warning at most once per interval, saying how many occurrences it stands for, so that a
/// client sending garbage cannot flood the log.
package final class ThrottledWarning: Sendable {
    private struct State {
        var lastLogged: ContinuousClock.Instant?
        var suppressed = 0
    }

    private let message: Logger.Message
    private let interval: Duration
    private let logger: Logger
    private let state = Locked(State())

    package init(_ message: Logger.Message, every interval: Duration = .seconds(60), logger: Logger) {
        self.message = message
        self.interval = interval
        self.logger = logger
    }

    package func record(_ detail: String) {
        let suppressed = state.withLock { state -> Int? in
            let now = ContinuousClock.now
            if let last = state.lastLogged, now - last < interval {
                state.suppressed += 1
                return nil
            }
            defer { state = State(lastLogged: now, suppressed: 0) }
            return state.suppressed
        }
        guard let suppressed else { return }
        logger.warning(message, metadata: ["detail": "\(detail)", "more_since_last_report": "\(suppressed)"])
    }
}
