import CRdKafka

package struct TopicPartition: Hashable, Sendable, Comparable, CustomStringConvertible {
    package let topic: String
    package let partition: Int32

    package init(_ topic: String, _ partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    package var description: String { "\(topic)[\(partition)]" }

    package static func < (lhs: TopicPartition, rhs: TopicPartition) -> Bool {
        (lhs.topic, lhs.partition) < (rhs.topic, rhs.partition)
    }
}

/// Offsets Kafka uses as markers rather than positions.
package enum SpecialOffset {
    /// No committed offset (librdkafka's RD_KAFKA_OFFSET_INVALID).
    package static let invalid: Int64 = -1001
    /// ListOffsets timestamp meaning "the newest offset" (high watermark).
    package static let latest: Int64 = -1
    /// ListOffsets timestamp meaning "the oldest offset" (low watermark).
    package static let earliest: Int64 = -2
    /// Start position meaning "only messages produced from now on" (RD_KAFKA_OFFSET_END).
    package static let end: Int64 = -1
}

/// Owns an `rd_kafka_topic_partition_list_t` built from Swift values. The list is reached only
/// inside `withPointer`/`withElements`, which keep it alive: Swift may otherwise free an object right
/// after its last use, before a C call or a loop over its elements is done with the memory.
/// Sendable so that separate lists can be filled by librdkafka on separate threads; one list is
/// never used by two threads at once.
final class PartitionList: @unchecked Sendable {
    private let pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>

    init(_ partitions: some Collection<TopicPartition>, offset: Int64? = nil) {
        pointer = rd_kafka_topic_partition_list_new(Int32(partitions.count))
        for partition in partitions {
            let element = rd_kafka_topic_partition_list_add(pointer, partition.topic, partition.partition)!
            if let offset { element.pointee.offset = offset }
        }
    }

    init(offsets: [TopicPartition: Int64]) {
        pointer = rd_kafka_topic_partition_list_new(Int32(offsets.count))
        for (partition, offset) in offsets {
            rd_kafka_topic_partition_list_add(pointer, partition.topic, partition.partition)!.pointee.offset = offset
        }
    }

    deinit {
        rd_kafka_topic_partition_list_destroy(pointer)
    }

    func withPointer<Result, Failure>(_ body: (UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) throws(Failure) -> Result) throws(Failure) -> Result {
        defer { withExtendedLifetime(self) {} }
        return try body(pointer)
    }

    func withElements<Result>(_ body: (UnsafeBufferPointer<rd_kafka_topic_partition_t>) -> Result) -> Result {
        defer { withExtendedLifetime(self) {} }
        return body(PartitionList.elements(of: pointer))
    }

    static func elements(of list: UnsafePointer<rd_kafka_topic_partition_list_t>?) -> UnsafeBufferPointer<rd_kafka_topic_partition_t> {
        guard let list, let elems = list.pointee.elems else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: elems, count: Int(list.pointee.cnt))
    }
}

extension rd_kafka_topic_partition_t {
    var topicPartition: TopicPartition {
        TopicPartition(String(cString: topic), partition)
    }

    var error: KafkaError? {
        err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError(err)
    }
}
