import Cluster
import Kafka

/// Messages one pipeline stage consumed and produced, counted only over cycles in which both sides
/// are known: the stage's group has committed on its inputs and its outputs have newest offsets.
///
/// Each side is a running total of positive per-partition offset growth (a reset group or a recreated
/// topic never counts backwards). Offsets of a partition missing from a cycle are kept, so its growth
/// meanwhile is counted when it returns. A partition seen for the first time (a group's first commit
/// after it started, a partition added to a topic) brings messages that were never counted on one side,
/// so the history starts again from that cycle rather than compare an input that began late with an
/// output counted from earlier.
struct StageFlow: Sendable {
    private var consumedOffsets: [TopicPartition: Int64] = [:]
    private var producedOffsets: [TopicPartition: Int64] = [:]
    private var consumed = 0.0
    private var produced = 0.0
    /// The cycle before: when it was read and the produced total then.
    private var previousCycle: FlowHistory.Earlier?
    private(set) var history: FlowHistory

    init(window: Double) {
        history = FlowHistory(window: window)
    }

    /// Adds a cycle: `consumed` are the group's committed offsets on the inputs, `available` the newest
    /// offsets of the inputs, `produced` the newest offsets of the outputs.
    mutating func advance(
        consumed committed: [TopicPartition: Int64], available: [TopicPartition: Int64], produced newest: [TopicPartition: Int64],
        at time: Double
    ) {
        let previous = previousCycle
        let newInput = committed.keys.contains { consumedOffsets[$0] == nil }
        let newOutput = newest.keys.contains { producedOffsets[$0] == nil }
        consumed += OffsetGrowth.sum(from: consumedOffsets, to: committed)
        produced += OffsetGrowth.sum(from: producedOffsets, to: newest)
        consumedOffsets.merge(committed) { $1 }
        producedOffsets.merge(newest) { $1 }
        let hasBothSides = !committed.isEmpty && !newest.isEmpty
        previousCycle = FlowHistory.Earlier(time: time, produced: produced)
        guard hasBothSides else {
            history.removeAll()
            return
        }
        if newInput || newOutput { history.removeAll() }
        // A commit first seen now was made since the cycle before, which had seen the stage: unless
        // this is the exporter's first cycle, the point is as good as one after any other commit.
        // An input whose newest offset is unknown this cycle leaves its lag unknown: no bound from here.
        let uncommitted = committed.reduce(0.0) { sum, partition in
            sum + (available[partition.key].map { Double(max(0, $0 - partition.value)) } ?? .infinity)
        }
        history.record(
            time: time, consumed: consumed, produced: produced, uncommitted: uncommitted,
            commitAppearedSince: newInput ? previous : nil)
    }
}
