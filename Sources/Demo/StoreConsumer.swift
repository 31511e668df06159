import Kafka
import Logging

/// A consumer group that stores what it reads (here: only counts it), committing as it goes.
final class StoreConsumer: DemoComponent, @unchecked Sendable {
    let name: String
    private let consumer: Consumer
    private let logger: Logger

    init(clients: DemoClients, group: String, topic: String, logger: Logger) throws(KafkaError) {
        name = group
        consumer = try Consumer(configuration: clients.consumerConfiguration(group: group), callbacks: clients.callbacks)
        self.logger = logger
        try consumer.subscribe([topic])
    }

    func step() {
        _ = consumer.next(timeout: .milliseconds(200)) { error in
            logger.debug("demo store consumer", metadata: ["group": "\(name)", "error": "\(error)"])
        }
    }

    func finish() {
        consumer.close()
    }
}
