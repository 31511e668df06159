import Exposition

/// The probe's families, built from one snapshot.
package enum ProbeFamilies {
    private static let counters = FamilyTable<ProbeLedger.Counts>(labelNames: ["partition", "broker"], [
        .init("kafka_probe_records_produced_total", .counter, "Probe records handed to the producer, per partition and the broker leading it at the time.") {
            Double($0.produced)
        },
        .init("kafka_probe_records_acked_total", .counter, "Probe records the partition's leader acknowledged (acks=all).") { Double($0.acked) },
        .init("kafka_probe_records_failed_total", .counter, "Probe records the producer gave up on (a delivery error, or no acknowledgement within --probe.timeout).") {
            Double($0.failed)
        },
        .init("kafka_probe_records_received_total", .counter, "Probe records read back by the probe's consumer.") { Double($0.received) },
        .init("kafka_probe_records_lost_total", .counter, "Probe records the leader acknowledged but the consumer did not read back within --probe.timeout.") {
            Double($0.lost)
        },
        .init("kafka_probe_records_duplicated_total", .counter, "Probe records read back more than once.") { Double($0.duplicated) },
    ])

    /// Every family `build` returns, without samples.
    static var declared: [MetricFamily] {
        [up, topicPartitions, brokersWithoutPartition] + counters.declaredFamilies
            + [produceLatency, roundTripLatency, commitLatency, commitsFailed]
    }

    private static let up = MetricFamily(
        name: "kafka_probe_up", help: "1 when every partition of the probe topic completed a round trip within --probe.timeout.",
        type: .gauge)
    private static let topicPartitions = MetricFamily(
        name: "kafka_probe_topic_partitions", help: "Partitions of the probe topic with a leader (0 while the topic is missing).",
        type: .gauge)
    private static let brokersWithoutPartition = MetricFamily(
        name: "kafka_probe_brokers_without_partition",
        help: "Brokers that lead no partition of the probe topic, so their produce path goes unprobed.", type: .gauge)
    private static let produceLatency = MetricFamily(
        name: "kafka_probe_produce_latency_seconds", help: "Time from producing a probe record to the leader's acknowledgement (acks=all).",
        type: .histogram, labelNames: ["partition", "broker"])
    private static let roundTripLatency = MetricFamily(
        name: "kafka_probe_roundtrip_latency_seconds",
        help: "Time from producing a probe record to reading it back, measured on the exporter's own monotonic clock.",
        type: .histogram, labelNames: ["partition", "broker"])
    private static let commitLatency = MetricFamily(
        name: "kafka_probe_commit_latency_seconds", help: "Time the probe's consumer took to commit its offsets in --probe.group.",
        type: .histogram)
    private static let commitsFailed = MetricFamily(
        name: "kafka_probe_commits_failed_total", help: "Offset commits of the probe's consumer that failed.", type: .counter)

    package static func build(_ snapshot: Prober.Snapshot) -> [MetricFamily] {
        var up = Self.up
        up.add(snapshot.isUp ? 1 : 0)
        var partitions = Self.topicPartitions
        partitions.add(Double(snapshot.partitions.count))
        var uncovered = Self.brokersWithoutPartition
        uncovered.add(Double(snapshot.brokersWithoutPartition))

        let routes = snapshot.ledger.counts.keys.sorted()
        var counts = counters.filling(capacity: routes.count)
        var produceLatency = Self.produceLatency
        var roundTrip = Self.roundTripLatency
        for route in routes {
            let entry = snapshot.ledger.counts[route]!
            let labels = [String(route.partition), String(route.broker)]
            counts.add(entry, labels[0], labels[1])
            produceLatency.add(labels, entry.produceLatency)
            roundTrip.add(labels, entry.roundTripLatency)
        }
        var commitLatency = Self.commitLatency
        commitLatency.add([], snapshot.ledger.commitLatency)
        var commitsFailed = Self.commitsFailed
        commitsFailed.add(Double(snapshot.ledger.commitsFailed))
        return [up, partitions, uncovered] + counts.families + [produceLatency, roundTrip, commitLatency, commitsFailed]
    }
}
