import Exposition

/// The `kafka_client_*` families of the reporting clients.
///
/// Counters are librdkafka's own totals as last reported; a client that restarts starts them again
/// from zero, which Prometheus treats as a counter reset. Per-broker counters come from the broker
/// objects, logical brokers (`GroupCoordinator`) included: they hold a connection of their own, so
/// their requests are not also counted on the broker they point to. Only librdkafka's internal
/// broker is left out. Summing a family over `broker` therefore gives the client's total.
package enum ClientFamilies {
    static let clientLabels = ["client_id", "type"]
    static let brokerLabels = clientLabels + ["broker"]
    static let partitionLabels = clientLabels + ["topic", "partition"]

    private struct BrokerSeries: Sendable {
        let name: String
        let help: String
        let type: MetricType
        let value: @Sendable (BrokerStatistics) -> Double?

        var family: MetricFamily { MetricFamily(name: name, help: help, type: type, labelNames: brokerLabels) }
    }

    private static let brokerSeries: [BrokerSeries] = [
        BrokerSeries(
            name: "kafka_client_tx_retries_total",
            help: "Requests the client re-sent to the broker (librdkafka txretries). Messages re-sent after produce errors count in kafka_client_tx_messages_total instead.",
            type: .counter, value: \.requestRetries),
        BrokerSeries(name: "kafka_client_tx_errors_total", help: "Transmission errors towards the broker (librdkafka txerrs).", type: .counter, value: \.transmitErrors),
        BrokerSeries(name: "kafka_client_rx_errors_total", help: "Receive errors from the broker (librdkafka rxerrs).", type: .counter, value: \.receiveErrors),
        BrokerSeries(name: "kafka_client_request_timeouts_total", help: "Requests to the broker that timed out (librdkafka req_timeouts).", type: .counter, value: \.requestTimeouts),
        BrokerSeries(name: "kafka_client_connects_total", help: "Connection attempts to the broker, failed ones included (librdkafka connects).", type: .counter, value: \.connects),
        BrokerSeries(name: "kafka_client_disconnects_total", help: "Connections to the broker that were closed (librdkafka disconnects).", type: .counter, value: \.disconnects),
        BrokerSeries(name: "kafka_client_tx_requests_total", help: "Requests sent to the broker (librdkafka tx).", type: .counter, value: \.requestsSent),
        BrokerSeries(name: "kafka_client_tx_bytes_total", help: "Bytes sent to the broker (librdkafka txbytes).", type: .counter, value: \.bytesSent),
        BrokerSeries(name: "kafka_client_rx_bytes_total", help: "Bytes received from the broker (librdkafka rxbytes).", type: .counter, value: \.bytesReceived),
        BrokerSeries(name: "kafka_client_broker_outbuf_messages", help: "Messages waiting to be sent to the broker (librdkafka outbuf_msg_cnt).", type: .gauge, value: \.outbufMessages),
        BrokerSeries(name: "kafka_client_broker_waitresp_messages", help: "Messages sent to the broker and awaiting its response (librdkafka waitresp_msg_cnt).", type: .gauge, value: \.waitingResponseMessages),
        BrokerSeries(
            name: "kafka_client_broker_state_age_seconds",
            help: "Time since the client's connection to the broker changed state (librdkafka stateage).",
            type: .gauge, value: { $0.stateAgeMicroseconds.map { $0 / 1e6 } }),
    ]

    private static let brokerState = MetricFamily(
        name: "kafka_client_broker_state",
        help: "The state of the client's connection to the broker (librdkafka state, such as UP, DOWN or CONNECT; 1 for the current state).",
        type: .gauge, labelNames: brokerLabels + ["state"])

    private static func brokerSummary(_ name: String, _ help: String) -> MetricFamily {
        MetricFamily(name: name, help: help, type: .summary, labelNames: brokerLabels)
    }

    private static let latencyFamilies: [(kind: LatencyKind, family: MetricFamily)] = [
        (.roundTrip, brokerSummary(
            "kafka_client_broker_rtt_seconds",
            "Broker round-trip time (librdkafka rtt): quantiles over the client's last statistics interval; _sum and _count accumulated over its documents.")),
        (.internalLatency, brokerSummary(
            "kafka_client_broker_int_latency_seconds",
            "Time produced messages wait in the client's queue (librdkafka int_latency): quantiles over the client's last statistics interval; _sum and _count accumulated over its documents.")),
        (.outbufLatency, brokerSummary(
            "kafka_client_broker_outbuf_latency_seconds",
            "Time requests wait before being written to the broker's socket (librdkafka outbuf_latency): quantiles over the client's last statistics interval; _sum and _count accumulated over its documents.")),
        (.throttle, brokerSummary(
            "kafka_client_broker_throttle_seconds",
            "Throttling time the broker imposed (librdkafka throttle): quantiles over the client's last statistics interval; _sum and _count accumulated over its documents.")),
    ]

    private static func clientGauge(_ name: String, _ help: String, extraLabels: [String] = []) -> MetricFamily {
        MetricFamily(name: name, help: help, type: .gauge, labelNames: clientLabels + extraLabels)
    }

    private static let queueMessages = clientGauge(
        "kafka_client_msg_queue_messages", "Messages in the producer's queues, waiting to be sent or acknowledged (librdkafka msg_cnt).")
    private static let queueMaxMessages = clientGauge(
        "kafka_client_msg_queue_max_messages",
        "Limit of kafka_client_msg_queue_messages (librdkafka msg_max, set by queue.buffering.max.messages); at the limit, produce fails with Queue full.")
    private static let queueBytes = clientGauge("kafka_client_msg_queue_bytes", "Bytes of the messages in the producer's queues (librdkafka msg_size).")
    private static let queueMaxBytes = clientGauge(
        "kafka_client_msg_queue_max_bytes",
        "Limit of kafka_client_msg_queue_bytes (librdkafka msg_size_max, set by queue.buffering.max.kbytes); at the limit, produce fails with Queue full.")
    private static let rebalances = MetricFamily(
        name: "kafka_client_rebalances_total", help: "Rebalances (assign or revoke) the consumer went through (librdkafka rebalance_cnt).",
        type: .counter, labelNames: clientLabels)
    private static let assignment = clientGauge("kafka_client_assignment_partitions", "Partitions assigned to the consumer (librdkafka assignment_size).")
    private static let groupState = clientGauge(
        "kafka_client_group_state",
        "The consumer's group membership state (librdkafka cgrp.state, such as up or wait-coord; 1 for the current state).", extraLabels: ["state"])
    private static let lastReport = clientGauge(
        "kafka_client_last_report_timestamp_seconds",
        "When the client emitted its latest statistics document, by the client's clock (librdkafka time).")

    private static func partitionFamily(_ name: String, _ help: String, _ type: MetricType) -> MetricFamily {
        MetricFamily(name: name, help: help, type: type, labelNames: partitionLabels)
    }

    private static let produced = partitionFamily(
        "kafka_client_produced_messages_total", "Messages the application produced to the partition (librdkafka msgs), sent or not.", .counter)
    private static let transmitted = partitionFamily(
        "kafka_client_tx_messages_total",
        "Messages transmitted to the partition's leader, each re-transmission after an error counted again (librdkafka txmsgs).", .counter)
    private static let received = partitionFamily("kafka_client_rx_messages_total", "Messages consumed from the partition (librdkafka rxmsgs).", .counter)
    private static let consumerLag = partitionFamily(
        "kafka_client_consumer_lag",
        "The partition's high watermark minus the consumer's position, as the consumer sees it (librdkafka consumer_lag; none while unknown).", .gauge)
    private static let committedOffset = partitionFamily(
        "kafka_client_committed_offset",
        "The consumer's last committed offset of the partition (librdkafka committed_offset; none before the first commit).", .gauge)

    /// Every family `build` returns, without samples.
    static var declared: [MetricFamily] {
        brokerSeries.map(\.family) + [brokerState] + latencyFamilies.map(\.family)
            + [queueMessages, queueMaxMessages, queueBytes, queueMaxBytes, rebalances, assignment, groupState, lastReport]
            + [produced, transmitted, received, consumerLag, committedOffset]
    }

    package static func build(_ clients: [ReportingClient]) -> [MetricFamily] {
        brokerFamilies(clients) + latencySummaries(clients) + clientFamilies(clients) + partitionFamilies(clients)
    }

    private static func labels(_ client: ReportingClient) -> [String] {
        [client.key.clientID, client.key.type]
    }

    private static func brokers(of client: ReportingClient) -> [BrokerStatistics] {
        client.latest.brokers.filter { !$0.isInternal }
    }

    private static func brokerFamilies(_ clients: [ReportingClient]) -> [MetricFamily] {
        var families = brokerSeries.map(\.family)
        var states = brokerState
        for client in clients {
            for broker in brokers(of: client) {
                let labelValues = labels(client) + [broker.name]
                for (index, series) in brokerSeries.enumerated() {
                    if let value = series.value(broker) { families[index].add(labelValues, value) }
                }
                if let state = broker.state { states.add(labelValues + [state], 1) }
            }
        }
        return families + [states]
    }

    private static func latencySummaries(_ clients: [ReportingClient]) -> [MetricFamily] {
        latencyFamilies.map { kind, declaration in
            var family = declaration
            for client in clients {
                for broker in brokers(of: client) {
                    guard let window = kind.window(in: broker), let total = client.latencyTotals[broker.name]?[kind] else { continue }
                    let unitsPerSecond = kind.unitsPerSecond
                    // A window without observations has no quantiles.
                    let observed = (window.count ?? 0) > 0
                    let quantiles = [(0.5, window.p50), (0.9, window.p90), (0.99, window.p99)].map { quantile, value in
                        (quantile, observed ? (value.map { $0 / unitsPerSecond } ?? .nan) : .nan)
                    }
                    family.addSummary(labels(client) + [broker.name], quantiles: quantiles, sum: total.sum / unitsPerSecond, count: total.count)
                }
            }
            return family
        }
    }

    private static func clientFamilies(_ clients: [ReportingClient]) -> [MetricFamily] {
        var queueMessages = Self.queueMessages
        var queueMaxMessages = Self.queueMaxMessages
        var queueBytes = Self.queueBytes
        var queueMaxBytes = Self.queueMaxBytes
        var rebalances = Self.rebalances
        var assignment = Self.assignment
        var groupState = Self.groupState
        var lastReport = Self.lastReport
        for client in clients {
            let labelValues = labels(client)
            let document = client.latest
            if client.key.type == "producer" {
                document.queuedMessages.map { queueMessages.add(labelValues, $0) }
                document.maxQueuedMessages.map { queueMaxMessages.add(labelValues, $0) }
                document.queuedBytes.map { queueBytes.add(labelValues, $0) }
                document.maxQueuedBytes.map { queueMaxBytes.add(labelValues, $0) }
            }
            if let group = document.group {
                group.rebalances.map { rebalances.add(labelValues, $0) }
                group.assignedPartitions.map { assignment.add(labelValues, $0) }
                group.state.map { groupState.add(labelValues + [$0], 1) }
            }
            document.time.map { lastReport.add(labelValues, $0) }
        }
        return [queueMessages, queueMaxMessages, queueBytes, queueMaxBytes, rebalances, assignment, groupState, lastReport]
    }

    private static func partitionFamilies(_ clients: [ReportingClient]) -> [MetricFamily] {
        var produced = Self.produced
        var transmitted = Self.transmitted
        var received = Self.received
        var lag = Self.consumerLag
        var committed = Self.committedOffset
        for client in clients {
            let isProducer = client.key.type == "producer"
            let isConsumer = client.key.type == "consumer"
            // Partition -1 is librdkafka's queue for messages not yet assigned a partition; they are
            // counted again on their partition.
            for partition in client.latest.partitions where partition.partition >= 0 {
                let labelValues = labels(client) + [partition.topic, String(partition.partition)]
                if isProducer {
                    partition.messages.map { produced.add(labelValues, $0) }
                    partition.transmittedMessages.map { transmitted.add(labelValues, $0) }
                }
                if isConsumer {
                    partition.receivedMessages.map { received.add(labelValues, $0) }
                    // librdkafka reports -1 for an unknown lag and -1001 for no committed offset.
                    if let value = partition.consumerLag, value >= 0 { lag.add(labelValues, value) }
                    if let value = partition.committedOffset, value >= 0 { committed.add(labelValues, value) }
                }
            }
        }
        return [produced, transmitted, received, lag, committed]
    }
}
