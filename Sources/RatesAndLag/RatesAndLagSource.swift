import ArgumentParser
import Cluster
import Exposition
import HTTP
import MetricSources
import Support

/// Message rates, lag in seconds and consumer-group status (`OffsetInsights`), and `/api/v1/groups`.
package struct RatesAndLagSource: ClusterStateSource {
    package static let groupsPath = "/api/v1/groups"
    package let name = "insights"
    package static var declaredFamilies: [MetricFamily] { OffsetInsightsFamilies.declared }
    package let insights: OffsetInsights

    package func families(from state: ClusterState) -> [MetricFamily] {
        insights.update(with: state)
    }

    /// `/api/v1/groups`: every group's status, lag and lag in seconds; `/api/v1/groups/NAME`: one group.
    package var routes: [Route] {
        let insights = insights
        return [Route(.subtree(Self.groupsPath), title: "Consumer groups (JSON)") { request in
            let name = request.path.dropFirst(Self.groupsPath.count).drop { $0 == "/" }
            if name.isEmpty { return .json(200, insights.groupsJSON()) }
            guard let body = insights.groupJSON(named: String(name)) else {
                return .json(404, Array("{\"error\":\"unknown consumer group\"}\n".utf8))
            }
            return .json(200, body)
        }]
    }
}

/// `--group.status-window`.
package struct RatesAndLagOptions: SourceOptions {
    @Option(name: .customLong("group.status-window"), parsing: .unconditional, help: "How long a consumer-group problem must last before the group's status reports it.") var statusWindow: String = DurationParsing.format(OffsetInsights.Settings().statusWindow)

    package init() {}

    package func settings() throws(ConfigurationError) -> OffsetInsights.Settings {
        var settings = OffsetInsights.Settings()
        settings.statusWindow = try FlagValue.positiveDuration(statusWindow, flag: "--group.status-window")
        return settings
    }

    package func makeSource(_ settings: OffsetInsights.Settings, in context: SourceContext) throws -> RatesAndLagSource? {
        RatesAndLagSource(insights: OffsetInsights(settings: settings))
    }
}
