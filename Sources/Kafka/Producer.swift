import CRdKafka
import Synchronization

/// A librdkafka producer for the demo and tests.
package final class Producer: Sendable {
    package let client: KafkaClient
    private let topics = Mutex<[String: SendablePointer]>([:])

    package init(configuration: ClientConfiguration, callbacks: ClientCallbacks = ClientCallbacks()) throws(KafkaError) {
        client = try KafkaClient(kind: .producer, configuration: configuration, callbacks: callbacks)
    }

    deinit {
        releaseTopics()
    }

    /// Destroys the handle; its topic handles go first, as librdkafka requires before rd_kafka_destroy.
    package func close() {
        releaseTopics()
        client.close()
    }

    private func releaseTopics() {
        topics.withLock { topics in
            topics.values.forEach { rd_kafka_topic_destroy($0.pointer) }
            topics.removeAll()
        }
    }

    /// Enqueues one message; throws `Queue full` (see `KafkaError.isQueueFull`) when the local queue
    /// is at `queue.buffering.max.messages`, as every librdkafka client does. The delivery report
    /// carries `token`.
    package func produce(topic: String, partition: Int32? = nil, key: [UInt8]? = nil, value: [UInt8], token: UInt = 0) throws(KafkaError) {
        let topicHandle = topics.withLock { topics in
            if let existing = topics[topic] { return existing.pointer }
            let created = rd_kafka_topic_new(client.handle, topic, nil)!
            topics[topic] = SendablePointer(pointer: created)
            return created
        }
        var value = value
        var key = key ?? []
        let result = value.withUnsafeMutableBytes { valueBytes in
            key.withUnsafeMutableBytes { keyBytes in
                rd_kafka_produce(
                    topicHandle, partition ?? RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY,
                    valueBytes.baseAddress, valueBytes.count,
                    keyBytes.isEmpty ? nil : keyBytes.baseAddress, keyBytes.count, UnsafeMutableRawPointer(bitPattern: token))
            }
        }
        if result != 0 { throw KafkaError(rd_kafka_last_error()) }
    }

    /// Waits until every enqueued message is delivered or failed.
    package func flush(timeout: Duration) throws(KafkaError) {
        try KafkaError.check(rd_kafka_flush(client.handle, timeout.milliseconds), "flush")
    }

    /// Messages waiting in the local queue or in flight.
    package var queueLength: Int { Int(rd_kafka_outq_len(client.handle)) }
}
