/// The values of several keys at the same instants, the last `capacity` instants of them, for at most
/// `maxKeys` keys (those with the largest values when more are offered): fixed memory, however large
/// the cluster. A key absent at an instant has NaN there; a key absent for the whole ring is dropped.
struct HistoryRing: Sendable {
    let capacity: Int
    let maxKeys: Int
    private var times: [Double]
    private var values: [String: [Float]] = [:]
    private var lastSeen: [String: Int] = [:]
    /// Instants appended so far; the newest is at slot `(appended - 1) % capacity`.
    private var appended = 0

    init(capacity: Int, maxKeys: Int) {
        precondition(capacity > 1 && maxKeys > 0)
        self.capacity = capacity
        self.maxKeys = maxKeys
        times = Array(repeating: .nan, count: capacity)
    }

    var keys: Dictionary<String, [Float]>.Keys { values.keys }

    mutating func append(at time: Double, _ sample: [String: Double]) {
        let slot = appended % capacity
        let kept = sample.count <= maxKeys ? sample : Dictionary(
            uniqueKeysWithValues: sample.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(maxKeys).map { ($0.key, $0.value) })
        times[slot] = time
        for key in values.keys where kept[key] == nil { values[key]![slot] = .nan }
        for (key, value) in kept {
            values[key, default: Array(repeating: .nan, count: capacity)][slot] = Float(value)
            lastSeen[key] = appended
        }
        appended += 1
        for (key, seen) in lastSeen where appended - seen > capacity {
            values[key] = nil
            lastSeen[key] = nil
        }
    }

    /// The instants, oldest first.
    var instants: [Double] { chronological(times) }

    /// The key's values at `instants`, nil where absent; nil for a key not kept.
    func series(_ key: String) -> [Double?]? {
        values[key].map { chronological($0).map { $0.isNaN ? nil : Double($0) } }
    }

    /// The newest value of the key and that of the oldest instant at or after `time`, with their instants.
    func change(of key: String, since time: Double) -> (from: (time: Double, value: Double), to: (time: Double, value: Double))? {
        guard let series = series(key) else { return nil }
        let instants = instants
        guard let last = series.indices.last(where: { series[$0] != nil }),
              let first = series.indices.first(where: { instants[$0] >= time && series[$0] != nil }), first < last
        else { return nil }
        return ((instants[first], series[first]!), (instants[last], series[last]!))
    }

    /// The key's newest value at or before `time`.
    func value(of key: String, atOrBefore time: Double) -> Double? {
        guard let series = series(key) else { return nil }
        return zip(instants, series).reversed().first { $0.0 <= time && $0.1 != nil }?.1
    }

    private func chronological<Element>(_ ring: [Element]) -> [Element] {
        guard appended > capacity else { return Array(ring[0..<appended]) }
        let start = appended % capacity
        return Array(ring[start...] + ring[..<start])
    }
}
