import Logging

/// Logs a problem when it appears or changes, and (optionally) when it ends — not again while it lasts:
/// librdkafka and brokers repeat the same error every poll or cycle while it lasts.
package final class ProblemLog<Key: Hashable & Sendable>: Sendable {
    private let message: Logger.Message
    private let recovery: Logger.Message?
    private let logger: Logger
    private let last = Locked<[Key: String]>([:])

    /// - Parameters:
    ///   - message: logged as a warning with the problem in `error`.
    ///   - recovery: logged at info level when a reported problem ends; nil says nothing.
    package init(_ message: Logger.Message, recovery: Logger.Message? = nil, logger: Logger) {
        self.message = message
        self.recovery = recovery
        self.logger = logger
    }

    /// Reports the current problem of `key`; nil says it has none.
    package func report(_ problem: String?, for key: Key, metadata: Logger.Metadata = [:]) {
        let previous = last.withLock { last in
            defer { last[key] = problem }
            return last[key]
        }
        guard previous != problem else { return }
        if let problem {
            logger.warning(message, metadata: metadata.merging(["error": "\(problem)"]) { _, new in new })
        } else if let recovery {
            logger.info(recovery, metadata: metadata)
        }
    }
}
