/// The parts of one librdkafka statistics document (STATISTICS.md in librdkafka) that the exporter
/// shows. Every value is optional: fields that a librdkafka version does not emit are nil, not zero.
/// Names follow librdkafka's JSON keys, given in each comment; units are librdkafka's.
public struct ClientStatistics: Sendable, Equatable {
    /// `name`: the handle's instance name, e.g. `rdkafka#producer-1`.
    public var name: String?
    /// `client_id`: the configured `client.id`.
    public var clientID: String?
    /// `type`: `producer` or `consumer`.
    public var type: String?
    /// `ts`: librdkafka's monotonic clock at emission, in microseconds.
    public var monotonicMicroseconds: Double?
    /// `time`: the client's wall clock at emission, in seconds since the epoch.
    public var time: Double?
    /// `age`: time since the handle was created, in microseconds.
    public var ageMicroseconds: Double?
    /// `msg_cnt`, `msg_size`: messages (and their bytes) in the producer queues now.
    public var queuedMessages: Double?
    public var queuedBytes: Double?
    /// `msg_max`, `msg_size_max`: the producer queue limits (`queue.buffering.max.*`).
    public var maxQueuedMessages: Double?
    public var maxQueuedBytes: Double?
    /// `brokers`, in document order.
    public var brokers: [BrokerStatistics] = []
    /// `topics.*.partitions`, flattened, in document order.
    public var partitions: [PartitionStatistics] = []
    /// `cgrp`: present for consumers in a group.
    public var group: GroupStatistics?

    public init() {}

    /// The `client.id`, or the instance name without its `#type-N` suffix when `client_id` is missing.
    public var effectiveClientID: String? {
        clientID ?? name.map { String($0.prefix { $0 != "#" }) }
    }
}

public struct BrokerStatistics: Sendable, Equatable {
    /// The key in `brokers`: `host:port/nodeid`, or a logical broker's role (`GroupCoordinator`).
    public var name: String
    /// `nodeid`.
    public var nodeID: Double?
    /// `source`: `configured`, `learned`, `internal` or `logical`.
    public var source: String?
    /// `state`: `INIT`, `DOWN`, `CONNECT`, `AUTH`, `APIVERSION_QUERY`, `AUTH_HANDSHAKE`, `UP`, `UPDATE`.
    public var state: String?
    /// `stateage`, in microseconds.
    public var stateAgeMicroseconds: Double?
    /// `outbuf_msg_cnt`, `waitresp_msg_cnt`: messages waiting to be sent, and sent awaiting a response.
    public var outbufMessages: Double?
    public var waitingResponseMessages: Double?
    /// `tx`, `txbytes`, `txerrs`, `txretries`, `req_timeouts`.
    public var requestsSent: Double?
    public var bytesSent: Double?
    public var transmitErrors: Double?
    public var requestRetries: Double?
    public var requestTimeouts: Double?
    /// `rxbytes`, `rxerrs`.
    public var bytesReceived: Double?
    public var receiveErrors: Double?
    /// `connects`, `disconnects`.
    public var connects: Double?
    public var disconnects: Double?
    /// `rtt`, `int_latency`, `outbuf_latency` (microseconds) and `throttle` (milliseconds).
    public var roundTrip: LatencyWindow?
    public var internalLatency: LatencyWindow?
    public var outbufLatency: LatencyWindow?
    public var throttle: LatencyWindow?

    public init(name: String) {
        self.name = name
    }

    /// librdkafka's internal broker (`:0/internal`) has no connection; logical brokers
    /// (`GroupCoordinator`, `TxnCoordinator`) do have their own, so they count as brokers.
    public var isInternal: Bool {
        source == "internal" || name.hasSuffix("/internal")
    }
}

/// A librdkafka rolling window: reset at every emission, so it covers one statistics interval.
public struct LatencyWindow: Sendable, Equatable {
    /// `p50`, `p90`, `p99`.
    public var p50: Double?
    public var p90: Double?
    public var p99: Double?
    /// `sum`, `cnt`: the total of the values in this window and how many there were.
    public var sum: Double?
    public var count: Double?

    public init(p50: Double? = nil, p90: Double? = nil, p99: Double? = nil, sum: Double? = nil, count: Double? = nil) {
        self.p50 = p50
        self.p90 = p90
        self.p99 = p99
        self.sum = sum
        self.count = count
    }
}

public struct PartitionStatistics: Sendable, Equatable {
    /// The keys in `topics` and `partitions`; partition -1 is librdkafka's unassigned-messages queue.
    public var topic: String
    public var partition: Int32
    /// `msgs`: messages produced by the application (producer) or received (consumer).
    public var messages: Double?
    /// `txmsgs`: messages transmitted, each re-transmission counted again.
    public var transmittedMessages: Double?
    /// `rxmsgs`: messages consumed.
    public var receivedMessages: Double?
    /// `consumer_lag`: high watermark minus the consumer's position; -1 when unknown.
    public var consumerLag: Double?
    /// `committed_offset`: -1001 when nothing was committed.
    public var committedOffset: Double?

    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }
}

public struct GroupStatistics: Sendable, Equatable {
    /// `state`: e.g. `up`, `wait-coord`, `wait-join`.
    public var state: String?
    /// `rebalance_cnt`.
    public var rebalances: Double?
    /// `assignment_size`.
    public var assignedPartitions: Double?

    public init() {}
}
