import Kafka

/// Lag arithmetic shared by every view of consumer-group lag.
package enum ConsumerLag {
    /// Messages between a committed offset and the newest offset. Never negative: the committed offset
    /// can be read slightly after the watermark and overtake it, which kafka_exporter reports as
    /// negative lag; a consumer cannot be ahead of the log, so such a reading means "caught up".
    package static func messages(committed: Int64, newest: Int64) -> Int64 {
        max(0, newest - committed)
    }

    package struct Entry: Sendable, Equatable {
        package let partition: TopicPartition
        package let committed: Int64
        package let lag: Int64
    }

    /// Per-partition lag of a group, sorted by topic and partition, for partitions with both a commit
    /// and a known newest offset.
    package static func byPartition(_ group: ConsumerGroupState, newestOffsets: NewestOffsets) -> [Entry] {
        var byTopic: [String: [(partition: Int32, committed: Int64)]] = [:]
        for (partition, committed) in group.committedOffsets {
            byTopic[partition.topic, default: []].append((partition.partition, committed))
        }
        var entries: [Entry] = []
        entries.reserveCapacity(group.committedOffsets.count)
        for topic in byTopic.keys.sorted() {
            guard let newest = newestOffsets.byTopic[topic] else { continue }
            for (partition, committed) in byTopic[topic]!.sorted(by: { $0.partition < $1.partition }) {
                guard let newestOffset = newest[partition] else { continue }
                entries.append(Entry(
                    partition: TopicPartition(topic, partition), committed: committed,
                    lag: messages(committed: committed, newest: newestOffset)))
            }
        }
        return entries
    }
}
