@testable import Exporter
import HTTP
import Kafka
import Logging
import MetricSources
import Testing

/// The catalog is the one list of sources: every `@OptionGroup` in it is made (or left off by its
/// flags), each under its own name, and its routes reach the route table.
@Suite struct SourceCatalogTests {
    private func sources(_ arguments: [String]) throws -> [any MetricSource] {
        let logger = Logger(label: "catalog") { _ in SwiftLogNoOpLogHandler() }
        let context = SourceContext.unconnected(logger: logger)
        return try ExporterOptions.parse(arguments).makeConfiguration().sources.compactMap { try $0.makeSource(in: context) }
    }

    @Test func everyOptionGroupIsFound() throws {
        #expect(try ExporterOptions.parse([]).makeConfiguration().sources.count == 13)
    }

    @Test func sourcesOffByDefaultComeOnWithTheirFlags() throws {
        #expect(try sources([]).map(\.name) == [
            "health", "process", "cluster", "broker_load", "broker_presence", "group_detail", "topic_detail", "insights", "client_stats",
            "overview",
        ])
        let all = try sources(["--pipeline", "router: in -> out", "--duplicates.topic", "^out$", "--probe.enabled"])
        #expect(all.map(\.name) == [
            "health", "process", "cluster", "broker_load", "broker_presence", "group_detail", "topic_detail", "insights", "pipeline",
            "duplicates", "client_stats", "probe", "overview",
        ])
        all.forEach { $0.stop() }
    }

    @Test func sourceRoutesAreListedOnTheLandingPage() throws {
        let links = try sources([]).flatMap(\.routes).compactMap(\.link).map(\.path)
        #expect(links == ["/healthz", "/ready", "/api/v1/groups", "/api/v1/overview"])
    }
}
