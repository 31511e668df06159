import FoundationEssentials
import Kafka
import Logging
import Support

/// Produces Influx line-protocol records into `_rawdata` at a steady rate, like Telegraf's Kafka output.
final class TelegrafProducer: DemoComponent, @unchecked Sendable {
    let name: String
    private let producer: Producer
    private let topic: String
    private let spacing: Duration
    private let bug: RetryBug
    private let logger: Logger
    private var sequence = 0
    private var nextSend = ContinuousClock.now

    /// Records sent at once when the retry bug is injected: far more than the router's queue holds.
    static let burstSize = 200

    init(clients: DemoClients, topic: String, messagesPerMinute: Double, bug: RetryBug, logger: Logger) throws(KafkaError) {
        name = "telegraf"
        producer = try Producer(configuration: clients.configuration(clientID: "telegraf", [("linger.ms", "5")]), callbacks: clients.callbacks)
        self.bug = bug
        self.topic = topic
        spacing = .microseconds(Int64(60_000_000 / max(messagesPerMinute, 0.001)))
        self.logger = logger
    }

    func step() {
        if bug.takeBurstRequest() {
            for _ in 0..<Self.burstSize { send() }
        }
        let now = ContinuousClock.now
        if now < nextSend {
            Threads.sleep(for: min(nextSend - now, .milliseconds(100)))
            return
        }
        nextSend += spacing
        send()
    }

    private func send() {
        sequence += 1
        do {
            try producer.produce(topic: topic, key: Array("host-\(sequence % 7)".utf8), value: Array(record(sequence).utf8))
        } catch {
            logger.warning("demo producer could not produce", metadata: ["error": "\(error)"])
        }
    }

    func finish() {
        try? producer.flush(timeout: .seconds(5))
        producer.close()
    }

    /// Three in ten records are firewall policy events, the rest flow records.
    private func record(_ sequence: Int) -> String {
        let timestamp = Int64(Date().timeIntervalSince1970 * 1e9)
        if sequence % 10 < 3 {
            return "policy,host=fw-\(sequence % 3) action=\"deny\",rule=\(sequence % 40)i,seq=\(sequence)i \(timestamp)"
        }
        return "flow,host=sw-\(sequence % 5) bytes=\(512 + sequence % 1000)i,packets=\(1 + sequence % 9)i,seq=\(sequence)i \(timestamp)"
    }
}
