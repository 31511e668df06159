import Foundation
import Kafka
import Logging

/// Consumes `_rawdata` in group `router`, classifies each record by its measurement name and
/// re-produces it into `_policy` or `_flow`.
final class Router: DemoComponent, @unchecked Sendable {
    let name: String
    private let consumer: Consumer
    private let producer: Producer
    private let logger: Logger

    init(bootstrap: String, input: String, logger: Logger) throws(KafkaError) {
        name = "router"
        consumer = try Consumer(configuration: .demoConsumer(bootstrap: bootstrap, group: "router"), callbacks: .demo(logger))
        producer = try Producer(configuration: .demo(bootstrap: bootstrap, clientID: "router", [("linger.ms", "5")]), callbacks: .demo(logger))
        self.logger = logger
        try consumer.subscribe([input])
    }

    func step() {
        do {
            guard let message = try consumer.poll(timeout: .milliseconds(200)) else { return }
            try producer.produce(topic: Self.destination(of: message.value), key: message.key, value: message.value)
        } catch {
            logger.debug("demo router", metadata: ["error": "\(error)"])
        }
    }

    func finish() {
        try? producer.flush(timeout: .seconds(5))
        producer.client.close()
        consumer.close()
    }

    static func destination(of record: [UInt8]) -> String {
        record.starts(with: Array("policy".utf8)) ? DemoPipeline.policyTopic : DemoPipeline.flowTopic
    }
}
