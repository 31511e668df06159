import Support

/// The recent cycles of one pipeline stage in a ring of fixed size, oldest first: when each cycle was
/// read, the stage's running totals of messages consumed and produced, the input records not yet
/// committed then, whether the consumed total moved since the point before (the group committed in
/// between), and how fast the outputs grew since.
///
/// Points are kept at least `window / (capacity - 2)` apart (until the newest point is that far from
/// the one before it, each cycle replaces it), so the ring spans the window however short the
/// collection interval.
struct FlowHistory: Sendable {
    struct Point: Equatable {
        let time: Double
        let consumed: Double
        let produced: Double
        /// Records of the inputs beyond the group's committed offsets (its lag on them) when the point
        /// was read: the only records the stage may have handled without the point's commit showing it.
        let uncommitted: Double
        /// The group's commit that this point shows was made after the point (or cycle) before it.
        let committedSincePrevious: Bool
        /// Messages produced per second since the point (or cycle) before; NaN when unknown.
        let boundaryRate: Double
    }

    /// A cycle before the newest point, which that point is compared with.
    struct Earlier {
        let time: Double
        let produced: Double
    }

    static let capacity = 512

    private var times: [Double]
    private var consumed: [Double]
    private var produced: [Double]
    private var uncommitted: [Double]
    private var committed: [Bool]
    private var boundaryRates: [Double]
    private var oldest = 0
    private(set) var count = 0
    private let spacing: Double

    init(window: Double) {
        spacing = window / Double(Self.capacity - 2)
        times = Array(repeating: 0, count: Self.capacity)
        consumed = times
        produced = times
        uncommitted = times
        boundaryRates = times
        committed = Array(repeating: false, count: Self.capacity)
    }

    subscript(index: Int) -> Point {
        let slot = (oldest + index) % Self.capacity
        return Point(
            time: times[slot], consumed: consumed[slot], produced: produced[slot], uncommitted: uncommitted[slot],
            committedSincePrevious: committed[slot], boundaryRate: boundaryRates[slot])
    }

    var newest: Point? { count == 0 ? nil : self[count - 1] }

    mutating func removeAll() {
        (oldest, count) = (0, 0)
    }

    /// Adds the newest point. It shows a commit when the consumed total moved since the point before,
    /// or when `commitAppearedSince` names the cycle after which the group's first commit was made.
    mutating func record(time: Double, consumed: Double, produced: Double, uncommitted: Double, commitAppearedSince cycle: Earlier? = nil) {
        if count >= 2 && self[count - 1].time - self[count - 2].time < spacing {
            count -= 1  // the newest point is too close to the one before it to be kept: the new one replaces it
        }
        let previous = newest.map { Earlier(time: $0.time, produced: $0.produced) } ?? cycle
        let moved = cycle != nil || newest.map { consumed > $0.consumed } ?? false
        let rate = previous.map { (produced - $0.produced) / (time - $0.time) } ?? .nan
        if count == Self.capacity {
            oldest = (oldest + 1) % Self.capacity
            count -= 1
        }
        let slot = (oldest + count) % Self.capacity
        (times[slot], self.consumed[slot], self.produced[slot], self.uncommitted[slot]) = (time, consumed, produced, uncommitted)
        (committed[slot], boundaryRates[slot]) = (moved, rate)
        count += 1
    }
}

extension FlowHistory {
    /// Messages consumed and produced over a span of the window.
    struct Span: Equatable {
        let seconds: Double
        let consumed: Double
        let produced: Double
        /// Both ends were read right after a commit of the group, in a steady stretch of output.
        let endsAtCommits: Bool
        /// The larger of the input records not yet committed at either end.
        let uncommitted: Double

        /// Produced per consumed record; nil without input.
        var ratio: Double? { consumed > 0 ? produced / consumed : nil }

        /// How far `ratio` may be from the stage's true ratio (`RatioPrecision.countRatioBound`): the
        /// consumed count is exact between two commits, and the produced count can only be off by the
        /// outputs of records consumed but not yet committed at either end, at most `uncommitted`
        /// records, and of the record in flight (committed, its output not yet acknowledged).
        /// Infinite for a span that does not end at commits.
        var ratioBound: Double {
            guard endsAtCommits, let ratio else { return .infinity }
            return RatioPrecision.countRatioBound(ratio, counted: consumed, uncertain: max(uncommitted, FlowHistory.recordsInFlight))
        }
    }

    /// A point may end a span when it shows a commit and the outputs grew at most this many times their
    /// typical (lower median) rate since the point before it: a backlog or a burst is far above that,
    /// while an amplification that just began (twice or three times the output) still counts.
    static let steadyFactor = 4.0

    /// Records a stage may have committed before their outputs were written (librdkafka's auto-commit
    /// stores an offset when it hands the record over): even with no lag at either end, a span's
    /// output count may miss one.
    static let recordsInFlight = 1.0

    /// From a point of the window that shows a commit made in a steady stretch of output to the last
    /// such point: the earliest start whose ratio is bounded within `RatioPrecision.publishedWithin`
    /// (the most records, so what no bound sees weighs least), else the start with the smallest bound.
    /// From the first point of the window to the newest when fewer than two such points exist. Nil
    /// before two points.
    ///
    /// A commit shown at a point was made at some moment since the point before, and so were the
    /// outputs of the records it covers; the span counts those outputs as if produced at the point.
    /// What that can move across an end is the outputs of the records not yet committed there, which
    /// the bound counts; a burst of output right at an end (a backlog read at start-up, the incident's
    /// burst) is left out as well, since its records may sit in a producer's queue after their commit.
    func span(over window: Double) -> Span? {
        guard count >= 2, let newest else { return nil }
        let start = newest.time - window
        let points = (0..<count).lazy.map { self[$0] }.filter { $0.time >= start }
        guard let first = points.first, newest.time > first.time else { return nil }
        let rates = points.map(\.boundaryRate).filter { !$0.isNaN }.sorted()
        let typical = rates.isEmpty ? Double.nan : rates[(rates.count - 1) / 2]
        let ends = points.filter { $0.committedSincePrevious && $0.boundaryRate <= Self.steadyFactor * typical }
        if let endPoint = ends.last {
            let spans = ends.lazy.filter { $0.time < endPoint.time }.map { Span(from: $0, to: endPoint, endsAtCommits: true) }
            if let bounded = spans.first(where: { $0.ratioBound <= RatioPrecision.publishedWithin }) ?? spans.min(by: { $0.ratioBound < $1.ratioBound }) {
                return bounded
            }
        }
        return Span(from: first, to: newest, endsAtCommits: false)
    }
}

extension FlowHistory.Span {
    init(from start: FlowHistory.Point, to end: FlowHistory.Point, endsAtCommits: Bool) {
        self.init(
            seconds: end.time - start.time, consumed: end.consumed - start.consumed, produced: end.produced - start.produced,
            endsAtCommits: endsAtCommits, uncommitted: max(start.uncommitted, end.uncommitted))
    }
}
