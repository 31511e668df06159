import Kafka

/// Lag arithmetic shared by every view of consumer-group lag.
public enum ConsumerLag {
    /// Messages between a committed offset and the newest offset. Never negative: the committed offset
    /// can be read slightly after the watermark and overtake it, which kafka_exporter reports as
    /// negative lag; a consumer cannot be ahead of the log, so such a reading means "caught up".
    public static func messages(committed: Int64, newest: Int64) -> Int64 {
        max(0, newest - committed)
    }

    /// Per-partition lag of a group, for partitions with both a commit and a known newest offset.
    public static func byPartition(
        _ group: ConsumerGroupState, newestOffsets: [TopicPartition: Int64]
    ) -> [(partition: TopicPartition, committed: Int64, lag: Int64)] {
        group.committedOffsets.keys.sorted().compactMap { partition in
            guard let committed = group.committedOffsets[partition], let newest = newestOffsets[partition] else { return nil }
            return (partition, committed, messages(committed: committed, newest: newest))
        }
    }
}
