import Cluster
import Kafka

/// A monotonic message count built from a set of partition offsets (a topic's newest offsets, or a
/// group's committed offsets on one topic), with enough recent history for windowed rates.
///
/// It starts at the sum of the offsets (every message since the partitions were created), then adds
/// only each partition's increase between two cycles: a partition added later counts from its first
/// sighting, and an offset that goes backwards (topic recreated, group reset) re-bases without
/// counting, so the counter never decreases and a rate is never negative.
struct MessageCounter: Sendable {
    /// The longest window a rate is asked for; older history is dropped.
    static let longestWindow = 300.0
    /// Generous: at a 1 s interval the 5-minute window needs about 60 points after thinning.
    static let capacity = 256

    private(set) var total: Double
    private var offsets: [TopicPartition: Int64]
    private var history: ThinnedHistory<Double>

    init(offsets: [TopicPartition: Int64], at time: Double) {
        total = offsets.values.reduce(0.0) { $0 + Double($1) }
        self.offsets = offsets
        history = ThinnedHistory(capacity: Self.capacity, maxAge: Self.longestWindow)
        history.record(total, at: time)
    }

    mutating func advance(to offsets: [TopicPartition: Int64], at time: Double) {
        total += OffsetGrowth.sum(from: self.offsets, to: offsets)
        self.offsets = offsets
        history.record(total, at: time)
    }

    /// Messages per second over the last `window` seconds (over the whole history while it is
    /// shorter); nil until two cycles were seen.
    func perSecond(over window: Double) -> Double? {
        history.increasePerSecond(over: window)
    }
}

extension ThinnedHistory where Value == Double {
    /// The value's increase per second between `window` seconds before the newest point (or the oldest
    /// point, if later) and the newest point. The value at the window's start is interpolated between
    /// the two points around it: exact when it was flat or grew steadily there.
    func increasePerSecond(over window: Double) -> Double? {
        guard count >= 2, let now = times.last, let newest = values.last else { return nil }
        let start = Swift.max(times[0], now - window)
        let upper = times.firstIndex(above: start)
        let lower = upper - 1
        let startValue = values[lower] + (values[upper] - values[lower]) * (start - times[lower]) / (times[upper] - times[lower])
        return (newest - startValue) / (now - start)
    }
}
