import Kafka

/// Messages counted from offsets that only ever move forward in a healthy cluster.
package enum OffsetGrowth {
    /// Sum of the increases of each partition's offset; partitions new since the last cycle count from
    /// their first sighting, and offsets that went backwards (reset, recreated topic) count as zero.
    package static func sum(from previous: [TopicPartition: Int64], to current: [TopicPartition: Int64]) -> Double {
        current.reduce(0.0) { total, entry in
            guard let before = previous[entry.key] else { return total }
            return total + Double(max(0, entry.value - before))
        }
    }
}
