import Logging

extension Logger {
    /// A logger that hands every event to `handle`, on the thread that logs it.
    package static func events(_ handle: @escaping @Sendable (LogEvent) -> Void) -> Logger {
        Logger(label: "test") { _ in EventHandler(handle: handle) }
    }
}

private struct EventHandler: LogHandler {
    let handle: @Sendable (LogEvent) -> Void
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        handle(event)
    }
}
