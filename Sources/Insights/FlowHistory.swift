/// The recent cycles of one pipeline stage in a ring of fixed size, oldest first: when each cycle was
/// read, the stage's running totals of messages consumed and produced, and whether the consumed total
/// moved since the point before (the group committed in between).
///
/// Points are kept at least `window / (capacity - 2)` apart (until the newest point is that far from
/// the one before it, each cycle replaces it), so the ring spans the window however short the
/// collection interval.
struct FlowHistory: Sendable {
    struct Point: Equatable {
        let time: Double
        let consumed: Double
        let produced: Double
        /// The group's commit that this point shows happened after the point before it was read.
        let committedSincePrevious: Bool
    }

    static let capacity = 512

    private var times: [Double]
    private var consumed: [Double]
    private var produced: [Double]
    private var committed: [Bool]
    private var oldest = 0
    private(set) var count = 0
    private let spacing: Double

    init(window: Double) {
        spacing = window / Double(Self.capacity - 2)
        times = Array(repeating: 0, count: Self.capacity)
        consumed = times
        produced = times
        committed = Array(repeating: false, count: Self.capacity)
    }

    subscript(index: Int) -> Point {
        let slot = (oldest + index) % Self.capacity
        return Point(time: times[slot], consumed: consumed[slot], produced: produced[slot], committedSincePrevious: committed[slot])
    }

    var newest: Point? { count == 0 ? nil : self[count - 1] }

    mutating func removeAll() {
        (oldest, count) = (0, 0)
    }

    /// Adds the newest point; `committedSincePrevious` is true when the consumed total moved since the
    /// previous point (or `commitAppeared` says a commit was first seen).
    mutating func record(time: Double, consumed: Double, produced: Double, commitAppeared: Bool) {
        if count >= 2 && self[count - 1].time - self[count - 2].time < spacing {
            count -= 1  // the newest point is too close to the one before it to be kept: the new one replaces it
        }
        let moved = commitAppeared || newest.map { consumed > $0.consumed } ?? false
        if count == Self.capacity {
            oldest = (oldest + 1) % Self.capacity
            count -= 1
        }
        let slot = (oldest + count) % Self.capacity
        (times[slot], self.consumed[slot], self.produced[slot], committed[slot]) = (time, consumed, produced, moved)
        count += 1
    }
}

extension FlowHistory {
    /// Messages consumed and produced over a span of the window.
    struct Span: Equatable {
        let seconds: Double
        let consumed: Double
        let produced: Double
        /// Both ends were read right after a commit of the group: consumed and produced are then
        /// counted over the same span, up to how long each commit preceded the point that showed it.
        let endsAtCommits: Bool
    }

    /// From the first to the last point of the window read right after a commit; from the first point
    /// of the window to the newest when fewer than two such points exist. Nil before two points.
    func span(over window: Double) -> Span? {
        guard count >= 2, let newest else { return nil }
        let start = newest.time - window
        var firstInWindow: Point?, firstCommit: Point?, lastCommit: Point?
        for index in 0..<count {
            let point = self[index]
            guard point.time >= start else { continue }
            if firstInWindow == nil { firstInWindow = point }
            if point.committedSincePrevious {
                if firstCommit == nil { firstCommit = point }
                lastCommit = point
            }
        }
        if let firstCommit, let lastCommit, lastCommit.time > firstCommit.time {
            return Span(from: firstCommit, to: lastCommit, endsAtCommits: true)
        }
        guard let firstInWindow, newest.time > firstInWindow.time else { return nil }
        return Span(from: firstInWindow, to: newest, endsAtCommits: false)
    }
}

extension FlowHistory.Span {
    init(from start: FlowHistory.Point, to end: FlowHistory.Point, endsAtCommits: Bool) {
        self.init(
            seconds: end.time - start.time, consumed: end.consumed - start.consumed, produced: end.produced - start.produced,
            endsAtCommits: endsAtCommits)
    }
}
