import Collectors
import Kafka
import Logging
import Synchronization

/// Creates the exporter's own librdkafka handles from the user's configuration, with their logs and
/// errors routed to the exporter's logger.
struct KafkaClients: Sendable {
    let base: ClientConfiguration
    let logger: Logger
    let onStatistics: (@Sendable (String, [UInt8]) -> Void)?

    func make(role: String) throws(KafkaError) -> KafkaClient {
        var configuration = base
        if configuration.value(for: "client.id") == nil { configuration.set("client.id", "kafka-exporter") }
        configuration.set("client.id", "\(configuration.value(for: "client.id")!)-\(role)")
        // Brokers close idle connections; that is routine, not worth a log line.
        if configuration.value(for: "log.connection.close") == nil { configuration.set("log.connection.close", "false") }
        return try KafkaClient(kind: .producer, configuration: configuration, callbacks: callbacks(role: role))
    }

    func makeAdmin(role: String) -> AdminClient {
        AdminClient { () throws(KafkaError) in try make(role: role) }
    }

    private func callbacks(role: String) -> ClientCallbacks {
        let logger = logger
        let lastError = Mutex<String?>(nil)
        return ClientCallbacks(
            statistics: onStatistics,
            log: { level, facility, message in
                logger.log(level: Self.level(syslog: level), "\(message)", metadata: ["client": "\(role)", "facility": "\(facility)"])
            },
            error: { error in
                // librdkafka repeats the same error while a broker stays unreachable; say it once.
                let isNew = lastError.withLock { last in
                    defer { last = error.description }
                    return last != error.description
                }
                if isNew { logger.warning("librdkafka error", metadata: ["client": "\(role)", "error": "\(error)"]) }
            })
    }

    private static func level(syslog: Int32) -> Logger.Level {
        switch syslog {
        case ...2: .critical
        case 3: .error
        case 4: .warning
        case 5: .notice
        case 6: .info
        default: .debug
        }
    }
}

final class LatestState: Sendable {
    private let state = Mutex<ClusterState?>(nil)

    func set(_ newState: ClusterState) { state.withLock { $0 = newState } }
    var value: ClusterState? { state.withLock { $0 } }
}
