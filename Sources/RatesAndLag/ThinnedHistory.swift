/// A bounded history of (time, value) points, oldest first, for values that never go down: a
/// partition's newest offset, or a message counter.
///
/// Three rules keep it small without losing what lookups need:
/// - A run of equal values keeps only its first and last point. Lookups only ever use those two (the
///   last time the value was still X and the first time it was X), so this loses nothing; an idle
///   partition costs two points however long it stays idle.
/// - A point is dropped once its two neighbours are close relative to their age: every gap between
///   neighbouring points stays at most `resolution` times the age of the newer one (10 % by default),
///   or one collection interval for recent points. Older history is sparser, so a few hundred points
///   span days, and an estimate interpolated between two points is off by at most that gap.
/// - At most `capacity` points (the oldest go first), and, with `maxAge`, nothing older than the one
///   point needed to interpolate at `maxAge` ago.
struct ThinnedHistory<Value: Comparable & Sendable>: Sendable {
    /// Seconds since 1970, strictly increasing.
    private(set) var times: [Double] = []
    private(set) var values: [Value] = []
    let resolution: Double
    let capacity: Int
    let maxAge: Double?

    init(resolution: Double = 0.1, capacity: Int, maxAge: Double? = nil) {
        precondition(capacity >= 2 && resolution >= 0)
        self.resolution = resolution
        self.capacity = capacity
        self.maxAge = maxAge
    }

    var count: Int { values.count }

    /// Points added to the storage when it is full.
    private static var growth: Int { 8 }

    /// Adds the newest point. A value below the last one (the log was recreated or truncated) or a time
    /// not after the last one (the wall clock stepped back) starts the history afresh.
    mutating func record(_ value: Value, at time: Double) {
        if let lastTime = times.last, let lastValue = values.last, time <= lastTime || value < lastValue {
            times.removeAll(keepingCapacity: true)
            values.removeAll(keepingCapacity: true)
        }
        let count = values.count
        if count >= 2 && values[count - 1] == value && values[count - 2] == value {
            times[count - 1] = time
        } else {
            if count == values.capacity {
                // A few points at a time rather than doubling: thinning keeps the count nearly
                // constant, so doubled storage would stay half empty for every partition.
                times.reserveCapacity(count + Self.growth)
                values.reserveCapacity(count + Self.growth)
            }
            times.append(time)
            values.append(value)
        }
        thin(now: time)
    }

    private mutating func thin(now: Double) {
        var index = 1
        while index < times.count - 1 {
            if times[index + 1] - times[index - 1] <= resolution * (now - times[index + 1]) {
                times.remove(at: index)
                values.remove(at: index)
            } else {
                index += 1
            }
        }
        var excess = times.count - capacity
        if let maxAge {
            var stale = 0
            while stale + 2 < times.count && times[stale + 1] <= now - maxAge { stale += 1 }
            excess = max(excess, stale)
        }
        if excess > 0 {
            times.removeFirst(excess)
            values.removeFirst(excess)
        }
    }
}

extension Array where Element: Comparable {
    /// In an array sorted in ascending order, the index of the first element greater than `value`
    /// (`endIndex` when there is none).
    func firstIndex(above value: Element) -> Int {
        var low = startIndex, high = endIndex
        while low < high {
            let middle = (low + high) / 2
            if self[middle] <= value { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
