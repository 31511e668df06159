import FoundationEssentials
import Kafka
import Support

/// Remembers the content hashes of one topic's records for a time window and says which records
/// repeat one already seen. Memory is bounded: when more than `maxEntries` hashes would be kept, the
/// sampling factor doubles and the hashes outside the new sample are forgotten (consistent sampling
/// keeps every hash that is a multiple of the factor, so both copies of a duplicate stay together).
package struct DuplicateWindow: Sendable {
    package let window: Duration
    package let maxEntries: Int
    /// One record in `samplingFactor` is examined.
    package private(set) var samplingFactor: UInt64

    private var lastSeen: [UInt64: Date] = [:]
    /// Hashes in the order they were last seen, for eviction; stale entries are skipped lazily.
    private var order: [(hash: UInt64, seen: Date)] = []
    private var orderStart = 0
    private var buckets: [Bucket] = []

    /// Counts per slice of the window, for the duplicate ratio over the window.
    private struct Bucket {
        let start: Date
        var sampled = 0
        var duplicates = 0
    }

    package private(set) var sampledTotal = 0
    package private(set) var duplicatesTotal = 0

    package init(window: Duration, samplingFactor: UInt64, maxEntries: Int) {
        precondition(samplingFactor >= 1 && maxEntries >= 1)
        self.window = window
        self.samplingFactor = samplingFactor
        self.maxEntries = maxEntries
    }

    /// Whether a record with this content hash falls in the sample.
    package func samples(_ hash: UInt64) -> Bool {
        hash % samplingFactor == 0
    }

    /// Records a sampled hash seen at `time`; true when the same content was seen within the window.
    @discardableResult
    package mutating func observe(_ hash: UInt64, at time: Date) -> Bool {
        precondition(samples(hash), "observe only sampled hashes")
        expire(before: time.addingTimeInterval(-window.seconds))
        let isDuplicate = lastSeen[hash] != nil
        lastSeen[hash] = time
        order.append((hash, time))
        sampledTotal += 1
        if isDuplicate { duplicatesTotal += 1 }
        count(at: time, duplicate: isDuplicate)
        if lastSeen.count > maxEntries { doubleSamplingFactor() }
        return isDuplicate
    }

    /// The sampled records of a window and the duplicates among them.
    package struct Counts: Equatable, Sendable {
        package let sampled: Int
        package let duplicates: Int

        /// Duplicates per sampled record; nil before any was sampled.
        package var ratio: Double? { sampled > 0 ? Double(duplicates) / Double(sampled) : nil }

        /// How far `ratio` may be from the share of duplicates in the topic (95 %, Wilson).
        package var bound: Double { RatioPrecision.shareBound(ratio ?? 0, samples: Double(sampled)) }

        /// `ratio` once it is exact to `RatioPrecision.publishedWithin`.
        package var publishedRatio: Double? { bound <= RatioPrecision.publishedWithin ? ratio : nil }
    }

    /// The counts of the window ending at `now`.
    package mutating func counts(at now: Date) -> Counts {
        expire(before: now.addingTimeInterval(-window.seconds))
        return Counts(sampled: buckets.reduce(0) { $0 + $1.sampled }, duplicates: buckets.reduce(0) { $0 + $1.duplicates })
    }

    package var entries: Int { lastSeen.count }

    private mutating func count(at time: Date, duplicate: Bool) {
        let slice = window.seconds / 60
        if buckets.last.map({ time.timeIntervalSince($0.start) >= slice }) ?? true {
            buckets.append(Bucket(start: time))
        }
        buckets[buckets.count - 1].sampled += 1
        if duplicate { buckets[buckets.count - 1].duplicates += 1 }
    }

    private mutating func expire(before cutoff: Date) {
        while orderStart < order.count, order[orderStart].seen < cutoff {
            let entry = order[orderStart]
            if lastSeen[entry.hash] == entry.seen { lastSeen[entry.hash] = nil }
            orderStart += 1
        }
        if orderStart > 4096, orderStart * 2 > order.count {
            order.removeFirst(orderStart)
            orderStart = 0
        }
        buckets.removeAll { $0.start.addingTimeInterval(window.seconds / 60) < cutoff }
    }

    private mutating func doubleSamplingFactor() {
        samplingFactor *= 2
        let factor = samplingFactor
        lastSeen = lastSeen.filter { $0.key % factor == 0 }
    }
}
