import CRdKafka

/// A consumer's fetch queue of one partition (`rd_kafka_queue_get_partition`), which keeps the handle
/// alive until it is destroyed.
///
/// librdkafka 2.0.2 can leave records in the fetch queue of a partition that was removed from the
/// cluster while it was read; they refer to the partition, which then never goes, nor the broker it
/// refers to, and destroying the consumer waits for that broker for ever (fixed upstream in 2.6.1,
/// confluentinc/librdkafka#4724). Draining the queue once the partition is no longer fetched, as that
/// fix does, breaks the cycle.
final class PartitionQueue: @unchecked Sendable {
    private let handle: KafkaHandle
    private let pointer: OpaquePointer

    init?(_ handle: KafkaHandle, _ partition: TopicPartition) {
        guard let pointer = handle.use({ rd_kafka_queue_get_partition($0, partition.topic, partition.partition) }) else {
            return nil
        }
        self.handle = handle
        self.pointer = pointer
    }

    deinit {
        rd_kafka_queue_destroy(pointer)
    }

    /// Destroys what the queue holds, waiting up to `timeout` for the first item.
    func drain(waitingAtMost timeout: Duration) {
        var wait = timeout
        while let message = rd_kafka_consume_queue(pointer, wait.milliseconds) {
            rd_kafka_message_destroy(message)
            wait = .zero
        }
    }
}
