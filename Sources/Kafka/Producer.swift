import CRdKafka
import Support

/// A librdkafka producer for the demo, the probe and tests.
package final class Producer: Sendable {
    /// For metadata and watermark reads on the producer's own connections.
    package let client: KafkaClient
    private let topics = Locked<[String: TopicHandle]>([:])

    package init(configuration: ClientConfiguration, callbacks: ClientCallbacks = ClientCallbacks()) throws(KafkaError) {
        client = try KafkaClient(kind: .producer, configuration: configuration, callbacks: callbacks)
    }

    /// Drops the cached topic handles and closes the client; safe at any time, any number of times.
    package func close() {
        topics.withLock { $0 = [:] }
        client.close()
    }

    /// Enqueues one message; throws `Queue full` (see `KafkaError.isQueueFull`) when the local queue
    /// is at `queue.buffering.max.messages`, as every librdkafka client does. The delivery report
    /// carries `token`.
    package func produce(topic: String, partition: Int32? = nil, key: [UInt8]? = nil, value: [UInt8], token: UInt = 0) throws(KafkaError) {
        let topicHandle = try topics.withLock { (topics) throws(KafkaError) -> TopicHandle in
            if let existing = topics[topic] { return existing }
            let created = try TopicHandle(client.retainHandle(), name: topic)
            topics[topic] = created
            return created
        }
        var value = value
        var key = key ?? []
        let result = topicHandle.use { topicPointer in
            value.withUnsafeMutableBytes { valueBytes in
                key.withUnsafeMutableBytes { keyBytes in
                    rd_kafka_produce(
                        topicPointer, partition ?? RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY,
                        valueBytes.baseAddress, valueBytes.count,
                        keyBytes.isEmpty ? nil : keyBytes.baseAddress, keyBytes.count, UnsafeMutableRawPointer(bitPattern: token))
                }
            }
        }
        if result != 0 { throw KafkaError(rd_kafka_last_error()) }
    }

    /// Waits until every enqueued message is delivered or failed.
    package func flush(timeout: Duration) throws(KafkaError) {
        try client.withHandle { (handle) throws(KafkaError) in try KafkaError.check(rd_kafka_flush(handle, timeout.milliseconds), "flush") }
    }

    /// Messages waiting in the local queue or in flight; 0 once closed.
    package var queueLength: Int { (try? client.withHandle { Int(rd_kafka_outq_len($0)) }) ?? 0 }
}
