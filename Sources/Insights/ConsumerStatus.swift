/// Burrow's status codes, for consumer groups (NOTFOUND, OK, WARN, ERR) and their partitions
/// (OK, WARN, STOP, STALL, REWIND). The rules are in docs/group-status.md.
package enum ConsumerStatus: String, Sendable, Codable, CaseIterable {
    case notFound = "NOTFOUND", ok = "OK", warn = "WARN", error = "ERR"
    /// Partitions only.
    case stop = "STOP", stall = "STALL", rewind = "REWIND"

    /// The value of `kafka_consumergroup_status` and `kafka_consumergroup_partition_status`.
    package var code: Int {
        switch self {
        case .notFound: 0
        case .ok: 1
        case .warn: 2
        case .error: 3
        case .stop: 4
        case .stall: 5
        case .rewind: 6
        }
    }

    /// A group's status from its partitions': ERR if any partition is STOP, STALL or REWIND, else WARN
    /// if any is WARN, else OK; NOTFOUND when no partition could be evaluated.
    package static func group(of partitions: some Sequence<ConsumerStatus>) -> ConsumerStatus {
        var status = ConsumerStatus.notFound
        for partition in partitions {
            switch partition {
            case .stop, .stall, .rewind, .error: return .error
            case .warn: status = .warn
            case .ok where status == .notFound: status = .ok
            case .ok, .notFound: break
            }
        }
        return status
    }
}

/// What the status rules need to remember about one group-partition, in constant space: the latest
/// committed offset and lag, and when each kind of change was last seen.
struct PartitionStatusTracker: Sendable {
    private var committed: Int64
    private(set) var lag: Int64
    private var lastSeen: Double
    /// The committed offset changed, or the group was caught up.
    private var lastProgress: Double
    /// The lag fell, or was zero.
    private var lastRelief: Double
    private var lastLagIncrease: Double?
    private var lastRewind: Double?

    /// The clocks start at the first sighting: nothing is judged on less than a whole window.
    init(committed: Int64, lag: Int64, at time: Double) {
        self.committed = committed
        self.lag = lag
        lastSeen = time
        lastProgress = time
        lastRelief = time
    }

    mutating func observe(committed: Int64, lag: Int64, at time: Double) {
        if committed != self.committed || lag == 0 { lastProgress = time }
        if committed < self.committed { lastRewind = time }
        if lag == 0 || lag < self.lag { lastRelief = time }
        if lag > self.lag { lastLagIncrease = time }
        self.committed = committed
        self.lag = lag
        lastSeen = time
    }

    /// The partition's status as of the latest observation. `owned` says whether a live member of the
    /// group is assigned the partition; nil when the broker cannot describe groups.
    func status(window: Double, owned: Bool?) -> ConsumerStatus {
        if let lastRewind, lastSeen - lastRewind < window { return .rewind }
        if lag == 0 { return .ok }
        if lastSeen - lastProgress >= window { return owned == true ? .stall : .stop }
        if lastSeen - lastRelief >= window, let lastLagIncrease, lastSeen - lastLagIncrease < window { return .warn }
        return .ok
    }
}
