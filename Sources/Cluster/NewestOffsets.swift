import Kafka

/// Newest offsets (high watermarks) of a cycle by topic, then partition: one hash lookup per topic
/// rather than per partition where whole topics are read (lag of every group).
package struct NewestOffsets: Sendable, Equatable {
    package let byTopic: [String: [Int32: Int64]]

    package init(_ topics: [TopicState]) {
        var byTopic: [String: [Int32: Int64]] = [:]
        byTopic.reserveCapacity(topics.count)
        for topic in topics {
            var offsets: [Int32: Int64] = [:]
            offsets.reserveCapacity(topic.partitions.count)
            for partition in topic.partitions {
                if let watermarks = partition.watermarks { offsets[partition.info.id] = watermarks.newest }
            }
            byTopic[topic.name] = offsets
        }
        self.byTopic = byTopic
    }

    package subscript(_ partition: TopicPartition) -> Int64? {
        byTopic[partition.topic]?[partition.partition]
    }

    /// The newest offsets of the given topics' partitions.
    package func partitions(of topics: Set<String>) -> [TopicPartition: Int64] {
        var offsets: [TopicPartition: Int64] = [:]
        for topic in topics {
            for (partition, offset) in byTopic[topic] ?? [:] { offsets[TopicPartition(topic, partition)] = offset }
        }
        return offsets
    }

    /// Every known partition's newest offset.
    package var all: [TopicPartition: Int64] {
        var offsets: [TopicPartition: Int64] = [:]
        for (topic, partitions) in byTopic {
            for (partition, offset) in partitions { offsets[TopicPartition(topic, partition)] = offset }
        }
        return offsets
    }
}
