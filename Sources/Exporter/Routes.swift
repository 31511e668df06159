import Collectors
import Foundation
import HTTP
import Exposition

/// The exporter's HTTP endpoints. None of them talks to Kafka.
enum Routes {
    static let groupsPath = "/api/v1/groups"

    /// `/api/v1/groups`: every group's status, lag and lag in seconds; `/api/v1/groups/NAME`: one group.
    static func groups(_ insights: OffsetInsights) -> Route {
        Route(.subtree(groupsPath)) { request in
            let name = request.path.dropFirst(groupsPath.count).drop { $0 == "/" }
            if name.isEmpty { return .json(200, insights.groupsJSON()) }
            guard let body = insights.groupJSON(named: String(name)) else {
                return .json(404, Array("{\"error\":\"unknown consumer group\"}\n".utf8))
            }
            return .json(200, body)
        }
    }

    static func health() -> Route {
        Route(.exact("/healthz")) { _ in .text(200, "ok\n") }
    }

    static func ready(health: CollectionHealth) -> Route {
        Route(.exact("/ready")) { _ in
            health.hasSucceeded ? .text(200, "ready\n") : .text(503, "waiting for the first successful collection cycle\n")
        }
    }

    static func landingPage(telemetryPath: String, extraLinks: [(path: String, title: String)], health: CollectionHealth, latest: LatestState) -> Route {
        Route(.exact("/")) { _ in
            let state = latest.value
            let summary: String
            if let state {
                let partitions = state.topics.reduce(0) { $0 + $1.partitions.count }
                summary = "\(state.brokers.count) brokers, \(state.topics.count) topics, \(partitions) partitions, \(state.groups.count) consumer groups; last read \(state.collectedAt.formatted(.iso8601))"
            } else {
                summary = "no successful collection yet"
            }
            let links = [(telemetryPath, "Exposition"), ("/healthz", "Health"), ("/ready", "Readiness")] + extraLinks
            let page = """
                <!DOCTYPE html>
                <html><head><title>kafka-exporter</title></head><body>
                <h1>kafka-exporter \(escapeHTML(Version.current))</h1>
                <p>librdkafka \(escapeHTML(Version.librdkafka)) &middot; cluster \(health.isUp ? "up" : "DOWN"): \(escapeHTML(summary))</p>
                <ul>\(links.map { "<li><a href=\"\(escapeHTML($0.0))\">\(escapeHTML($0.1))</a></li>" }.joined())</ul>
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
