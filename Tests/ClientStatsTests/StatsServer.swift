import ClientStats
import Exposition
import Foundation
import HTTP
import Kafka
import Logging
import MetricSources
import Testing
import TestSupport

/// A collector behind a real HTTP server on a random loopback port, serving `POST /api/v1/stats`
/// and `/metrics`, as the exporter wires them. Stopped when it goes away.
final class StatsServer {
    let registry = Registry()
    let source: ClientStatsSource
    let sources: SourceSet
    let server: HTTPServer

    var collector: ClientStatsCollector { source.collector }

    init(
        token: BearerToken? = nil, maxBodyBytes: Int = ClientStatsSettings().maxBodyBytes,
        configure: (inout ClientStatsSettings) -> Void = { _ in }
    ) throws {
        var settings = ClientStatsSettings()
        settings.token = token
        settings.maxBodyBytes = maxBodyBytes
        configure(&settings)
        let logger = Logger(label: "stats-test")
        let context = SourceContext.unconnected(logger: logger)
        source = try ClientStatsSource(settings: settings, context: context, publishInterval: .milliseconds(100))
        sources = SourceSet([source], registry: registry)
        server = try HTTPServer(
            address: ListenAddress(host: "127.0.0.1", port: 0),
            router: Router(routes: sources.routes + [.metrics(path: "/metrics", registry: registry)]))
        sources.start()
    }

    deinit {
        sources.stop()
        server.stop()
    }

    var port: UInt16 { server.port }
    var statsURL: String { "http://127.0.0.1:\(port)\(StatsRoute.path)" }

    func post(_ body: [UInt8], headers: [String: String] = [:]) throws -> HTTPTestClient.Response {
        try HTTPTestClient(port: port).request("POST", StatsRoute.path, headers: ["Content-Type": "application/json"].merging(headers) { $1 }, body: body)
    }

    /// Polls /metrics until `condition` holds, or records an issue after `timeout`.
    @discardableResult
    func waitForMetrics(timeout: Duration = .seconds(20), _ what: String, until condition: (ExpositionSamples) -> Bool) throws -> ExpositionSamples {
        let deadline = ContinuousClock.now + timeout
        var last = ExpositionSamples("")
        while ContinuousClock.now < deadline {
            last = ExpositionSamples(try HTTPTestClient.get(port: port, "/metrics").text)
            if condition(last) { return last }
            Thread.sleep(forTimeInterval: 0.1)
        }
        Issue.record("timed out waiting for \(what)")
        return last
    }
}
