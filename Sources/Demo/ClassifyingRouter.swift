import Support
import Kafka
import Logging

/// Consumes `_rawdata` in group `router`, classifies each record by its measurement name and
/// re-produces it into `_policy` or `_flow`, retrying when its producer's local queue is full.
final class ClassifyingRouter: DemoComponent, @unchecked Sendable {
    /// Small enough that a burst fills it, as in the incident.
    static let queueCapacity = 20

    let name: String
    private let consumer: Consumer
    private let producer: Producer
    private let bug: RetryBug
    private let logger: Logger
    /// The incident's counter: raised on every `Queue full`, never reset.
    private var queueFullRetries = 0

    init(clients: DemoClients, input: String, bug: RetryBug, logger: Logger) throws(KafkaError) {
        name = "router"
        consumer = try Consumer(configuration: clients.consumerConfiguration(group: "router"), callbacks: clients.callbacks)
        producer = try Producer(
            configuration: clients.configuration(clientID: "router", [
                ("linger.ms", "50"), ("queue.buffering.max.messages", "\(Self.queueCapacity)"),
            ]),
            callbacks: clients.callbacks)
        self.bug = bug
        self.logger = logger
        try consumer.subscribe([input])
    }

    func step() {
        guard let message = consumer.next(timeout: .milliseconds(200), onError: { error in
            logger.debug("demo router", metadata: ["error": "\(error)"])
        }) else { return }
        let destination = Self.destination(of: message.value)
        if bug.isEnabled && queueFullRetries > 0 {
            // The bug: a non-zero counter means "the last send failed, send again" — for every record.
            produce(message, to: destination)
        }
        produce(message, to: destination)
    }

    private func produce(_ message: ConsumedMessage, to topic: String) {
        while true {
            do {
                try producer.produce(topic: topic, key: message.key, value: message.value)
                return
            } catch where error.isQueueFull {
                queueFullRetries += 1
                Threads.sleep(for: .milliseconds(10))
            } catch {
                logger.debug("demo router", metadata: ["error": "\(error)"])
                return
            }
        }
    }

    func finish() {
        try? producer.flush(timeout: .seconds(5))
        producer.close()
        consumer.close()
    }

    static func destination(of record: [UInt8]) -> String {
        record.starts(with: Array("policy".utf8)) ? DemoPipeline.policyTopic : DemoPipeline.flowTopic
    }
}
