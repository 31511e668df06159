import Exposition
import FoundationEssentials
import HTTP
import MetricSources
import Overview

/// Every path the exporter answers, in one place: `/metrics`, the overview page at `/`, and the sources'
/// endpoints (`/healthz`, `/ready`, `/api/v1/groups`, `/api/v1/stats`, ...). None of them talks to Kafka.
enum RouteTable {
    static func routes(telemetryPath: String, registry: Registry, sources: SourceSet, health: ExporterHealth, extra: [Route]) -> [Route] {
        let sourceRoutes = sources.routes + extra
        return [.metrics(path: telemetryPath, registry: registry)]
            + sourceRoutes
            + [landingPage(telemetryPath: telemetryPath, links: sourceRoutes.compactMap(\.link), health: health, sources: sources)]
    }

    /// The overview page, headed by the version and the cluster summary, with every other endpoint in its footer.
    private static func landingPage(telemetryPath: String, links: [(path: String, title: String)], health: ExporterHealth, sources: SourceSet) -> Route {
        guard let overview = sources.sources.lazy.compactMap({ $0 as? OverviewSource }).first else {
            preconditionFailure("SourceCatalog lists the overview")
        }
        return overview.pageRoute {
            let summary: String
            if let state = health.latest {
                let partitions = state.topics.reduce(0) { $0 + $1.partitions.count }
                summary = "\(state.brokers.count) brokers, \(state.topics.count) topics, \(partitions) partitions, \(state.groups.count) consumer groups; last read \(state.collectedAt.formatted(.iso8601))"
            } else {
                summary = "no successful collection yet"
            }
            return PageFrame(
                heading: "kafka-exporter \(Version.current)",
                summary: "librdkafka \(Version.librdkafka) · cluster \(health.isUp ? "up" : "DOWN"): \(summary)",
                links: [(telemetryPath, "Exposition")] + links)
        }
    }
}
