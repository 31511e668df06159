import ArgumentParser
import Cluster
import Exposition
import FoundationEssentials
import HTTP
import MetricSources
import Support

/// The exporter's own health: whether the last cycle read the cluster, how long it took, when it last
/// succeeded, errors per stage since start, and what the HTTP server answered. Serves `/healthz` and
/// `/ready`.
final class ExporterHealth: MetricSource {
    private struct State {
        var up = false
        var lastDuration: Duration?
        var lastSuccess: Date?
        var errors = Dictionary(uniqueKeysWithValues: CollectionStage.allCases.map { ($0, 0) })
        var cycles = 0
        var handleReplacements = 0
        var stalePartitions = 0
        var latest: ClusterState?
    }

    let name = "health"
    static var declaredFamilies: [MetricFamily] {
        [up, buildInfo, collectDuration, lastSuccess, collectErrors, collectCycles, handleReplacements, stalePartitions]
            + HTTPStatistics.declaredFamilies
    }

    /// The labels of `kafka_exporter_build_info`.
    struct Build: Sendable {
        var version = Version.current
        var revision = Version.revision
        var swiftVersion = Version.swift
        var librdkafkaVersion = Version.librdkafka
    }

    private let build: Build
    private let http: HTTPStatistics
    private let state = Locked(State())

    init(build: Build = Build(), http: HTTPStatistics) {
        self.build = build
        self.http = http
    }

    func start(publish: @escaping @Sendable ([MetricFamily]) -> Void) {
        publish(families())
    }

    func families(after cycle: CollectionCycle) -> [MetricFamily]? {
        state.withLock { state in
            state.cycles += 1
            state.up = cycle.succeeded
            state.lastDuration = cycle.duration
            state.handleReplacements = cycle.adminHandleReplacements
            if let latest = cycle.state {
                state.lastSuccess = latest.collectedAt
                state.latest = latest
                state.stalePartitions = latest.topics.reduce(0) { count, topic in
                    count + topic.partitions.count { $0.watermarksAreStale }
                }
            }
            for (stage, count) in cycle.errors { state.errors[stage, default: 0] += count }
        }
        return families()
    }

    var routes: [Route] {
        [
            Route(.exact("/healthz"), title: "Health") { _ in .text(200, "ok\n") },
            Route(.exact("/ready"), title: "Readiness") { [self] _ in
                hasSucceeded ? .text(200, "ready\n") : .text(503, "waiting for the first successful collection cycle\n")
            },
        ]
    }

    /// True once a cycle has read the cluster (the exporter is then ready to be scraped).
    var hasSucceeded: Bool { state.withLock { $0.lastSuccess != nil } }
    var isUp: Bool { state.withLock { $0.up } }
    /// What the last successful cycle read.
    var latest: ClusterState? { state.withLock { $0.latest } }

    private static let up = MetricFamily(
        name: "kafka_exporter_up", help: "1 if the last collection cycle read the Kafka cluster, 0 otherwise.", type: .gauge)
    private static let buildInfo = MetricFamily(
        name: "kafka_exporter_build_info",
        help: "Version, git revision and Swift version kafka-exporter was built with, and the librdkafka it runs on; always 1.",
        type: .gauge, labelNames: ["version", "revision", "swiftversion", "librdkafka_version"])
    private static let collectDuration = MetricFamily(
        name: "kafka_exporter_collect_duration_seconds", help: "Wall time of the last collection cycle.", type: .gauge)
    private static let lastSuccess = MetricFamily(
        name: "kafka_exporter_last_collect_success_timestamp_seconds",
        help: "Unix time of the last collection cycle that read the cluster.", type: .gauge)
    private static let collectErrors = MetricFamily(
        name: "kafka_exporter_collect_errors_total",
        help: "Collection errors by stage since start (one per failing stage and cycle): \(CollectionStage.allCases.map(\.rawValue).joined(separator: ", ")).",
        type: .counter, labelNames: ["stage"])
    private static let collectCycles = MetricFamily(
        name: "kafka_exporter_collect_cycles_total", help: "Collection cycles run since start.", type: .counter)
    private static let handleReplacements = MetricFamily(
        name: "kafka_exporter_admin_handle_replacements_total",
        help: "librdkafka admin handles replaced because they stopped answering.", type: .counter)
    private static let stalePartitions = MetricFamily(
        name: "kafka_exporter_stale_partitions",
        help: "Partitions whose offsets the last cycle could not read: their offset series, and the lag computed from them, are the last ones read.",
        type: .gauge)

    private func families() -> [MetricFamily] {
        let state = self.state.withLock { $0 }
        var up = Self.up
        up.add(state.up ? 1 : 0)
        var buildInfo = Self.buildInfo
        buildInfo.add([build.version, build.revision, build.swiftVersion, build.librdkafkaVersion], 1)
        var duration = Self.collectDuration
        if let lastDuration = state.lastDuration { duration.add(lastDuration.seconds) }
        var lastSuccess = Self.lastSuccess
        if let success = state.lastSuccess { lastSuccess.add(success.timeIntervalSince1970) }
        var errors = Self.collectErrors
        for stage in CollectionStage.allCases {
            errors.add([stage.rawValue], Double(state.errors[stage] ?? 0))
        }
        var cycles = Self.collectCycles
        cycles.add(Double(state.cycles))
        var replacements = Self.handleReplacements
        replacements.add(Double(state.handleReplacements))
        var stale = Self.stalePartitions
        stale.add(Double(state.stalePartitions))
        return [up, buildInfo, duration, lastSuccess, errors, cycles, replacements, stale] + http.families()
    }
}

/// The exporter's own health is always on; it has no flags.
struct ExporterHealthOptions: SourceOptions {
    func makeSource(_: Void, in context: SourceContext) throws -> ExporterHealth? {
        ExporterHealth(http: context.httpStatistics)
    }
}
