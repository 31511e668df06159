import Cluster

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
