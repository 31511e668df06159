import Kafka

/// Where a timestamp read starts: a partition and the offset of the oldest record a group has not
/// consumed (its committed offset, or the partition's oldest where retention deleted that one).
package struct RecordPosition: Hashable, Sendable, Comparable {
    package let partition: TopicPartition
    package let offset: Int64

    package init(_ partition: TopicPartition, _ offset: Int64) { (self.partition, self.offset) = (partition, offset) }

    package static func < (lhs: RecordPosition, rhs: RecordPosition) -> Bool {
        (lhs.partition, lhs.offset) < (rhs.partition, rhs.offset)
    }
}

/// What reading the record at a position told about when it was written; kept until no group's
/// committed offset is at that position any more.
package enum TimestampRead: Sendable, Equatable {
    /// The first record at or after the position was written at `seconds` since 1970; `laterOffset`
    /// when it is not at the position itself (a compacted or control record there), so that the record
    /// at the position is at least as old.
    case written(seconds: Double, laterOffset: Bool)
    /// The record has no timestamp (-1): lag in seconds stays interpolated.
    case noTimestamp
    /// Nothing but transaction markers from the position up to `end`: while the partition's newest
    /// offset is still `end`, the group has consumed every message.
    case onlyMarkers(end: Int64)
}

/// Reads timestamps for `OffsetInsights` off the collection thread.
package protocol LagTimestampSource: Sendable {
    /// Reads finished since the last call.
    func takeFinishedReads() -> [RecordPosition: TimestampRead]
    /// The positions whose timestamp this cycle would like, most wanted first; replaces the previous
    /// cycle's wish. Must not block.
    func want(_ positions: [RecordPosition])
}
