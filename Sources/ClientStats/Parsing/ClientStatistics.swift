/// The parts of one librdkafka statistics document (STATISTICS.md in librdkafka) that the exporter
/// shows. Every value is optional: fields that a librdkafka version does not emit are nil, not zero.
/// Names follow librdkafka's JSON keys, given in each comment; units are librdkafka's.
package struct ClientStatistics: Sendable, Equatable {
    /// `name`: the handle's instance name, e.g. `rdkafka#producer-1`.
    package var name: String?
    /// `client_id`: the configured `client.id`.
    package var clientID: String?
    /// `type`: `producer` or `consumer`.
    package var type: String?
    /// `ts`: librdkafka's monotonic clock at emission, in microseconds.
    package var monotonicMicroseconds: Double?
    /// `time`: the client's wall clock at emission, in seconds since the epoch.
    package var time: Double?
    /// `age`: time since the handle was created, in microseconds.
    package var ageMicroseconds: Double?
    /// `msg_cnt`, `msg_size`: messages (and their bytes) in the producer queues now.
    package var queuedMessages: Double?
    package var queuedBytes: Double?
    /// `msg_max`, `msg_size_max`: the producer queue limits (`queue.buffering.max.*`).
    package var maxQueuedMessages: Double?
    package var maxQueuedBytes: Double?
    /// `brokers`, in document order.
    package var brokers: [BrokerStatistics] = []
    /// `topics.*.partitions`, flattened, in document order.
    package var partitions: [PartitionStatistics] = []
    /// `cgrp`: present for consumers in a group.
    package var group: GroupStatistics?

    package init() {}

    /// The `client.id`, or the instance name without its `#type-N` suffix when `client_id` is missing.
    package var effectiveClientID: String? {
        clientID ?? name.map { String($0.prefix { $0 != "#" }) }
    }
}

package struct BrokerStatistics: Sendable, Equatable {
    /// The key in `brokers`: `host:port/nodeid`, or a logical broker's role (`GroupCoordinator`).
    package var name: String
    /// `nodeid`.
    package var nodeID: Double?
    /// `source`: `configured`, `learned`, `internal` or `logical`.
    package var source: String?
    /// `state`: `INIT`, `DOWN`, `CONNECT`, `AUTH`, `APIVERSION_QUERY`, `AUTH_HANDSHAKE`, `UP`, `UPDATE`.
    package var state: String?
    /// `stateage`, in microseconds.
    package var stateAgeMicroseconds: Double?
    /// `outbuf_msg_cnt`, `waitresp_msg_cnt`: messages waiting to be sent, and sent awaiting a response.
    package var outbufMessages: Double?
    package var waitingResponseMessages: Double?
    /// `tx`, `txbytes`, `txerrs`, `txretries`, `req_timeouts`.
    package var requestsSent: Double?
    package var bytesSent: Double?
    package var transmitErrors: Double?
    package var requestRetries: Double?
    package var requestTimeouts: Double?
    /// `rxbytes`, `rxerrs`.
    package var bytesReceived: Double?
    package var receiveErrors: Double?
    /// `connects`, `disconnects`.
    package var connects: Double?
    package var disconnects: Double?
    /// `rtt`, `int_latency`, `outbuf_latency` (microseconds) and `throttle` (milliseconds).
    package var roundTrip: LatencyWindow?
    package var internalLatency: LatencyWindow?
    package var outbufLatency: LatencyWindow?
    package var throttle: LatencyWindow?

    package init(name: String) {
        self.name = name
    }

    /// librdkafka's internal broker (`:0/internal`) has no connection; logical brokers
    /// (`GroupCoordinator`, `TxnCoordinator`) do have their own, so they count as brokers.
    package var isInternal: Bool {
        source == "internal" || name.hasSuffix("/internal")
    }
}

/// A librdkafka rolling window: reset at every emission, so it covers one statistics interval.
package struct LatencyWindow: Sendable, Equatable {
    /// `p50`, `p90`, `p99`.
    package var p50: Double?
    package var p90: Double?
    package var p99: Double?
    /// `sum`, `cnt`: the total of the values in this window and how many there were.
    package var sum: Double?
    package var count: Double?

    package init(p50: Double? = nil, p90: Double? = nil, p99: Double? = nil, sum: Double? = nil, count: Double? = nil) {
        (self.p50, self.p90, self.p99, self.sum, self.count) = (p50, p90, p99, sum, count)
    }
}

package struct PartitionStatistics: Sendable, Equatable {
    /// The keys in `topics` and `partitions`; partition -1 is librdkafka's unassigned-messages queue.
    package var topic: String
    package var partition: Int32
    /// `msgs`: messages produced by the application (producer) or received (consumer).
    package var messages: Double?
    /// `txmsgs`: messages transmitted, each re-transmission counted again.
    package var transmittedMessages: Double?
    /// `rxmsgs`: messages consumed.
    package var receivedMessages: Double?
    /// `consumer_lag`: high watermark minus the consumer's position; -1 when unknown.
    package var consumerLag: Double?
    /// `committed_offset`: -1001 when nothing was committed.
    package var committedOffset: Double?

    package init(topic: String, partition: Int32) {
        (self.topic, self.partition) = (topic, partition)
    }
}

package struct GroupStatistics: Sendable, Equatable {
    /// `state`: e.g. `up`, `wait-coord`, `wait-join`.
    package var state: String?
    /// `rebalance_cnt`.
    package var rebalances: Double?
    /// `assignment_size`.
    package var assignedPartitions: Double?

    package init() {}
}
