import Logging
import Support

/// Builds every librdkafka handle the exporter owns from the user's configuration: the client.id is
/// `<client.id>-<role>`, librdkafka's log lines and errors go to the exporter's logger (each error once
/// per change), and statistics documents go to `statistics`.
package struct KafkaClientFactory: Sendable {
    package let base: ClientConfiguration
    package let logger: Logger
    package let statistics: (@Sendable (_ clientName: String, _ json: [UInt8]) -> Void)?
    private let errors: ProblemLog<String>

    package init(base: ClientConfiguration, logger: Logger, statistics: (@Sendable (String, [UInt8]) -> Void)? = nil) {
        self.base = base
        self.logger = logger
        self.statistics = statistics
        errors = ProblemLog("librdkafka error", logger: logger)
    }

    /// A handle for metadata and watermarks.
    package func client(role: String) throws(KafkaError) -> KafkaClient {
        try KafkaClient(kind: .producer, configuration: configuration(role: role), callbacks: callbacks(role: role))
    }

    /// An admin client whose handles (replaced when one stops answering) are built here.
    package func admin(role: String) -> AdminClient {
        AdminClient { () throws(KafkaError) in try client(role: role) }
    }

    /// A producer with `properties` on top of the base configuration; `delivery` hears every delivery report.
    package func producer(
        role: String, properties: [(String, String)] = [], delivery: @escaping @Sendable (DeliveryReport) -> Void
    ) throws(KafkaError) -> Producer {
        var callbacks = callbacks(role: role)
        callbacks.delivery = delivery
        return try Producer(configuration: configuration(role: role, adding: properties), callbacks: callbacks)
    }

    /// A consumer with `properties` on top of the base configuration (e.g. `enable.auto.commit`).
    package func consumer(role: String, properties: [(String, String)] = []) throws(KafkaError) -> Consumer {
        try Consumer(configuration: configuration(role: role, adding: properties), callbacks: callbacks(role: role))
    }

    /// A consumer that is assigned partitions: it never joins a group and never commits.
    package func assignedConsumer(role: String, properties: [(String, String)] = []) throws(KafkaError) -> Consumer {
        try consumer(role: role, properties: Self.assignedConsumerProperties(role: role) + properties)
    }

    /// Checks the configuration `assignedConsumer(role:properties:)` would use with librdkafka, without
    /// connecting (see `ClientConfiguration.validateAsConsumer`).
    package func validateAssignedConsumer(role: String, properties: [(String, String)] = []) throws(KafkaError) {
        try configuration(role: role, adding: Self.assignedConsumerProperties(role: role) + properties).validateAsConsumer()
    }

    private static func assignedConsumerProperties(role: String) -> [(String, String)] {
        [("group.id", "kafka-exporter-\(role)"), ("enable.auto.commit", "false"), ("enable.auto.offset.store", "false")]
    }

    private func configuration(role: String, adding properties: [(String, String)]) -> ClientConfiguration {
        var configuration = configuration(role: role)
        for (key, value) in properties { configuration.set(key, value) }
        return configuration
    }

    func configuration(role: String) -> ClientConfiguration {
        var configuration = base
        configuration.set("client.id", "\(base.value(for: "client.id") ?? "kafka-exporter")-\(role)")
        // Brokers close idle connections; that is routine, not worth a log line.
        if configuration.value(for: "log.connection.close") == nil { configuration.set("log.connection.close", "false") }
        return configuration
    }

    private func callbacks(role: String) -> ClientCallbacks {
        let logger = logger
        let errors = errors
        return ClientCallbacks(
            statistics: statistics,
            log: { level, facility, message in
                // librdkafka also hands these to the error callback, which logs each once per change.
                let reportedAsError = facility == "FAIL" || facility == "ERROR"
                logger.log(
                    level: reportedAsError ? .debug : Self.level(syslog: level), "\(message)",
                    metadata: ["client": "\(role)", "facility": "\(facility)"])
            },
            error: { error in errors.report(error.description, for: role, metadata: ["client": "\(role)"]) })
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
