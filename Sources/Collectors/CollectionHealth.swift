import Foundation
import Exposition
import Synchronization

/// The exporter's own health: whether the last cycle read the cluster, how long it took, when it last
/// succeeded, and errors per stage since start.
public final class CollectionHealth: Sendable {
    private struct State {
        var up = false
        var lastDuration: Duration?
        var lastSuccess: Date?
        var errors = Dictionary(uniqueKeysWithValues: CollectionStage.allCases.map { ($0, 0) })
        var cycles = 0
    }

    private let version: String
    private let librdkafkaVersion: String
    private let state = Mutex(State())

    public init(version: String, librdkafkaVersion: String) {
        self.version = version
        self.librdkafkaVersion = librdkafkaVersion
    }

    public func record(_ cycle: CollectionCycle) {
        state.withLock { state in
            state.cycles += 1
            state.up = cycle.succeeded
            state.lastDuration = cycle.duration
            if cycle.succeeded { state.lastSuccess = cycle.state?.collectedAt }
            for (stage, count) in cycle.errors { state.errors[stage, default: 0] += count }
        }
    }

    /// True once a cycle has read the cluster (the exporter is then ready to be scraped).
    public var hasSucceeded: Bool { state.withLock { $0.lastSuccess != nil } }
    public var isUp: Bool { state.withLock { $0.up } }
    public var lastSuccess: Date? { state.withLock { $0.lastSuccess } }

    public func families(handleReplacements: Int) -> [MetricFamily] {
        let state = self.state.withLock { $0 }
        var up = MetricFamily(
            name: "kafka_exporter_up", help: "1 if the last collection cycle read the Kafka cluster, 0 otherwise.", type: .gauge)
        up.add(state.up ? 1 : 0)
        var buildInfo = MetricFamily(
            name: "kafka_exporter_build_info", help: "Version of kafka-exporter and of the librdkafka it runs on; always 1.",
            type: .gauge, labelNames: ["version", "librdkafka_version"])
        buildInfo.add([version, librdkafkaVersion], 1)
        var duration = MetricFamily(
            name: "kafka_exporter_collect_duration_seconds", help: "Wall time of the last collection cycle.", type: .gauge)
        if let lastDuration = state.lastDuration { duration.add(lastDuration.seconds) }
        var lastSuccess = MetricFamily(
            name: "kafka_exporter_last_collect_success_timestamp_seconds",
            help: "Unix time of the last collection cycle that read the cluster.", type: .gauge)
        if let success = state.lastSuccess { lastSuccess.add(success.timeIntervalSince1970) }
        var errors = MetricFamily(
            name: "kafka_exporter_collect_errors_total", help: "Collection errors by stage since start (one per failing stage and cycle).",
            type: .counter, labelNames: ["stage"])
        for stage in CollectionStage.allCases {
            errors.add([stage.rawValue], Double(state.errors[stage] ?? 0))
        }
        var cycles = MetricFamily(
            name: "kafka_exporter_collect_cycles_total", help: "Collection cycles run since start.", type: .counter)
        cycles.add(Double(state.cycles))
        var replacements = MetricFamily(
            name: "kafka_exporter_admin_handle_replacements_total",
            help: "librdkafka admin handles replaced because they stopped answering.", type: .counter)
        replacements.add(Double(handleReplacements))
        return [up, buildInfo, duration, lastSuccess, errors, cycles, replacements]
    }
}
