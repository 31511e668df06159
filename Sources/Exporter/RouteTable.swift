import Exposition
import Foundation
import HTTP
import MetricSources

/// Every path the exporter answers, in one place: `/metrics`, the landing page, and the sources'
/// endpoints (`/healthz`, `/ready`, `/api/v1/groups`, `/api/v1/stats`, ...). None of them talks to Kafka.
enum RouteTable {
    static func routes(telemetryPath: String, registry: Registry, sources: SourceSet, health: ExporterHealth, extra: [Route]) -> [Route] {
        let sourceRoutes = sources.routes + extra
        return [.metrics(path: telemetryPath, registry: registry)]
            + sourceRoutes
            + [landingPage(telemetryPath: telemetryPath, links: sourceRoutes.compactMap(\.link), health: health)]
    }

    private static func landingPage(telemetryPath: String, links: [(path: String, title: String)], health: ExporterHealth) -> Route {
        Route(.exact("/")) { _ in
            let summary: String
            if let state = health.latest {
                let partitions = state.topics.reduce(0) { $0 + $1.partitions.count }
                summary = "\(state.brokers.count) brokers, \(state.topics.count) topics, \(partitions) partitions, \(state.groups.count) consumer groups; last read \(state.collectedAt.formatted(.iso8601))"
            } else {
                summary = "no successful collection yet"
            }
            let page = """
                <!DOCTYPE html>
                <html><head><title>kafka-exporter</title></head><body>
                <h1>kafka-exporter \(escapeHTML(Version.current))</h1>
                <p>librdkafka \(escapeHTML(Version.librdkafka)) &middot; cluster \(health.isUp ? "up" : "DOWN"): \(escapeHTML(summary))</p>
                <ul>\(([(telemetryPath, "Exposition")] + links).map { "<li><a href=\"\(escapeHTML($0.0))\">\(escapeHTML($0.1))</a></li>" }.joined())</ul>
                </body></html>

                """
            return .text(200, page, contentType: "text/html; charset=utf-8")
        }
    }

    private static func escapeHTML(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
