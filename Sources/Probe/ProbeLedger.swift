import Exposition
import Support

/// The probe's bookkeeping, free of Kafka and clocks: which records were sent when, to which partition
/// and leader, and what became of them. Every method takes the current instant, so tests drive time.
package struct ProbeLedger: Sendable {
    /// Upper bounds of the latency histograms: 1 ms to 10 s, about three per decade.
    package static let latencyBounds: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    /// Series labels: the partition and the broker that led it when the record was sent.
    package struct Route: Hashable, Sendable, Comparable {
        package let partition: Int32
        package let broker: Int32

        package init(partition: Int32, broker: Int32) { (self.partition, self.broker) = (partition, broker) }

        package static func < (lhs: Route, rhs: Route) -> Bool { (lhs.partition, lhs.broker) < (rhs.partition, rhs.broker) }
    }

    package struct Counts: Sendable, Equatable {
        package var produced: UInt64 = 0
        package var acked: UInt64 = 0
        package var failed: UInt64 = 0
        package var received: UInt64 = 0
        package var lost: UInt64 = 0
        package var duplicated: UInt64 = 0
        package var produceLatency = Histogram(bounds: ProbeLedger.latencyBounds)
        package var roundTripLatency = Histogram(bounds: ProbeLedger.latencyBounds)
    }

    private struct Record {
        let route: Route
        let sentAt: ContinuousClock.Instant
        var delivered: Bool?
        var received = false
        var lost = false
    }

    /// How long a record may take from produce to consume before it counts as lost.
    package let timeout: Duration
    package private(set) var counts: [Route: Counts] = [:]
    package private(set) var commitLatency = Histogram(bounds: ProbeLedger.latencyBounds)
    package private(set) var commitsFailed: UInt64 = 0
    /// When each partition last completed a round trip within the timeout.
    package private(set) var lastRoundTrip: [Int32: ContinuousClock.Instant] = [:]
    /// Records of the last few timeouts, by sequence number: later copies still count as duplicates.
    private var records: [UInt64: Record] = [:]
    private var nextSequence: UInt64 = 1

    package init(timeout: Duration) {
        self.timeout = timeout
    }

    /// Registers a record about to be produced and returns its sequence number.
    package mutating func send(to route: Route, at now: ContinuousClock.Instant) -> UInt64 {
        let sequence = nextSequence
        nextSequence += 1
        records[sequence] = Record(route: route, sentAt: now)
        counts[route, default: Counts()].produced += 1
        return sequence
    }

    /// The broker acknowledged the record (`error == false`) or gave up on it.
    package mutating func delivered(_ sequence: UInt64, failed: Bool, at now: ContinuousClock.Instant) {
        guard var record = records[sequence], record.delivered == nil else { return }
        record.delivered = !failed
        records[sequence] = record
        if failed {
            counts[record.route, default: Counts()].failed += 1
        } else {
            counts[record.route, default: Counts()].acked += 1
            counts[record.route, default: Counts()].produceLatency.observe((now - record.sentAt).seconds)
        }
    }

    /// The consumer read the record back. A record read again is a duplicate; one read after it was
    /// declared lost still counts as received, with its (long) round trip.
    package mutating func received(_ sequence: UInt64, at now: ContinuousClock.Instant) {
        guard var record = records[sequence] else { return }
        if record.received {
            counts[record.route, default: Counts()].duplicated += 1
            return
        }
        record.received = true
        records[sequence] = record
        counts[record.route, default: Counts()].received += 1
        counts[record.route, default: Counts()].roundTripLatency.observe((now - record.sentAt).seconds)
        if now - record.sentAt <= timeout { lastRoundTrip[record.route.partition] = now }
    }

    package mutating func committed(after latency: Duration?) {
        if let latency { commitLatency.observe(latency.seconds) } else { commitsFailed += 1 }
    }

    /// Counts acknowledged records not read back within the timeout as lost (records the producer gives
    /// up on, which it does by the same timeout, count as failed instead) and forgets records old
    /// enough that no copy is expected any more.
    package mutating func expire(at now: ContinuousClock.Instant) {
        for (sequence, record) in records {
            let age = now - record.sentAt
            if age > timeout * 3 {
                records[sequence] = nil
            } else if age > timeout, !record.received, !record.lost, record.delivered == true {
                records[sequence]?.lost = true
                counts[record.route, default: Counts()].lost += 1
            }
        }
    }

    /// True when each of `partitions` completed a round trip within the timeout before `now`.
    package func isUp(partitions: [Int32], at now: ContinuousClock.Instant) -> Bool {
        !partitions.isEmpty && partitions.allSatisfy { partition in
            lastRoundTrip[partition].map { now - $0 <= timeout } ?? false
        }
    }

    /// Records sent and not yet resolved (neither read back, failed nor lost).
    package var inFlight: Int {
        records.values.count { !$0.received && !$0.lost && $0.delivered != false }
    }
}
