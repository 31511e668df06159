import ClientStats
import Collectors
import HTTP
import Kafka

/// Everything the exporter needs to run, validated.
public struct ExporterConfiguration: Sendable {
    public struct Label: Sendable, Equatable {
        public let name: String
        public let value: String
    }

    /// Properties for every librdkafka handle the exporter creates (brokers, security, passthrough).
    public var kafka: ClientConfiguration
    public var collection: CollectionSettings
    public var collectInterval: Duration
    public var listenAddress: ListenAddress
    public var telemetryPath: String
    public var maxConnections: UInt32
    /// Constant labels added to every sample (`--kafka.labels`).
    public var constantLabels: [Label]
    /// Duplicate detection on the topics matching `--duplicates.topic`; nil when off.
    public var duplicates: DuplicateDetector.Settings?
    /// librdkafka statistics: of the exporter's own clients, pushed by applications, read from a topic.
    public var statistics = StatisticsSettings()
    /// Rates, lag in seconds and consumer-group status (`--group.status-window`).
    public var insights = OffsetInsights.Settings()
    /// Declared pipeline stages (`--pipeline`), measured over `pipelineWindow`.
    public var pipelines: [PipelineStage] = []
    public var pipelineWindow: Duration = .seconds(300)

    public init(
        kafka: ClientConfiguration, collection: CollectionSettings = CollectionSettings(),
        collectInterval: Duration = .seconds(15), listenAddress: ListenAddress = ListenAddress(host: nil, port: 9308),
        telemetryPath: String = "/metrics", maxConnections: UInt32 = 256, constantLabels: [Label] = []
    ) {
        self.kafka = kafka
        self.collection = collection
        self.collectInterval = collectInterval
        self.listenAddress = listenAddress
        self.telemetryPath = telemetryPath
        self.maxConnections = maxConnections
        self.constantLabels = constantLabels
    }
}

/// A flag or configuration value that cannot be used; the process exits with status 2.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The `--stats.*` flags.
public struct StatisticsSettings: Sendable {
    /// `statistics.interval.ms` of the exporter's own librdkafka handles; nil turns their statistics off.
    public var ownClientsInterval: Duration? = .seconds(30)
    /// Required on `POST /api/v1/stats` when set.
    public var token: BearerToken?
    /// A topic of statistics documents to read (`--stats.topic`).
    public var topic: String?
    /// nil forgets a client after 5 × its own interval.
    public var expiry: Duration?
    public var maxBodyBytes = StatsRoute.defaultMaxBodyBytes

    public init() {}
}
