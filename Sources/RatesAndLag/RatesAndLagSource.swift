import ArgumentParser
import Cluster
import Exposition
import HTTP
import Kafka
import MetricSources
import Support

/// Message rates, lag in seconds and consumer-group status (`OffsetInsights`), and `/api/v1/groups`.
package struct RatesAndLagSource: ClusterStateSource {
    package static let groupsPath = "/api/v1/groups"
    package let name = "insights"
    package static var declaredFamilies: [MetricFamily] { OffsetInsightsFamilies.declared + LagTimestampReads.declaredFamilies }
    package let insights: OffsetInsights
    /// The timestamp reads `insights` asks for; nil with `--lag.timestamp-reads=0`.
    package let timestampReads: LagTimestampReads?

    package init(insights: OffsetInsights, timestampReads: LagTimestampReads? = nil) {
        (self.insights, self.timestampReads) = (insights, timestampReads)
    }

    package func families(from state: ClusterState) -> [MetricFamily] {
        insights.update(with: state) + (timestampReads?.families() ?? [])
    }

    package func start(publish: @escaping @Sendable ([MetricFamily]) -> Void) {
        timestampReads?.start()
    }

    package func stop() {
        timestampReads?.stop()
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

/// `--group.status-window` and the `--lag.timestamp-*` flags.
package struct RatesAndLagOptions: SourceOptions {
    package struct Settings: Sendable {
        package var insights = OffsetInsights.Settings()
        package var timestampReads = LagTimestampReads.Settings()
    }

    private static let defaults = Settings()

    @Option(name: .customLong("group.status-window"), parsing: .unconditional, help: "How long a consumer-group problem must last before the group's status reports it.") var statusWindow: String = DurationParsing.format(defaults.insights.statusWindow)

    @Option(name: .customLong("lag.timestamp-reads"), help: "Partitions per cycle at most whose lag in seconds is read from the timestamp of the record at the committed offset rather than interpolated (0: interpolate only).") var timestampReads: Int = defaults.timestampReads.partitionsPerCycle

    @Option(name: .customLong("lag.timestamp-fetch-bytes"), help: "max.partition.fetch.bytes of the timestamp reads: bytes fetched per partition read beyond its first record batch.") var timestampFetchBytes: Int = defaults.timestampReads.partitionFetchBytes

    package init() {}

    package func settings() throws(ConfigurationError) -> Settings {
        var settings = Settings()
        settings.insights.statusWindow = try FlagValue.positiveDuration(statusWindow, flag: "--group.status-window")
        guard timestampReads >= 0 else { throw ConfigurationError("--lag.timestamp-reads must not be negative") }
        guard timestampFetchBytes >= 1 else { throw ConfigurationError("--lag.timestamp-fetch-bytes must be at least 1") }
        settings.timestampReads.partitionsPerCycle = timestampReads
        settings.timestampReads.partitionFetchBytes = timestampFetchBytes
        return settings
    }

    package func makeSource(_ settings: Settings, in context: SourceContext) throws -> RatesAndLagSource? {
        guard settings.timestampReads.partitionsPerCycle > 0 else {
            return RatesAndLagSource(insights: OffsetInsights(settings: settings.insights))
        }
        let reader = try FirstRecordReader(
            factory: context.kafka, role: "lag-timestamps", partitionFetchBytes: settings.timestampReads.partitionFetchBytes)
        let reads = LagTimestampReads(settings: settings.timestampReads, reader: reader, logger: context.logger)
        return RatesAndLagSource(insights: OffsetInsights(settings: settings.insights, timestamps: reads), timestampReads: reads)
    }
}
