import ClientStats
import Collectors
import Foundation
import HTTP
import Kafka
import Logging
import Exposition

/// The running exporter: a collection loop publishing into the registry, and the HTTP server reading it.
public final class Exporter: Sendable {
    /// A source of families derived from each successful cycle's state, published under `source`.
    public struct Derivation: Sendable {
        public let source: String
        public let derive: @Sendable (ClusterState) -> [MetricFamily]

        public init(source: String, derive: @escaping @Sendable (ClusterState) -> [MetricFamily]) {
            self.source = source
            self.derive = derive
        }
    }

    public let registry: Registry
    public let health: CollectionHealth
    private let collector: ClusterCollector
    private let clients: ClusterCollector.Clients
    private let server: HTTPServer
    private let scheduler: CollectionScheduler
    private let duplicates: DuplicateDetector?
    private let clientStatistics: ClientStatsCollector
    private let statisticsTopic: StatsTopicReader?
    private let latest = LatestState()
    private let logger: Logger

    /// Hands a librdkafka statistics document to the exporter, as an application's `stats_cb` would
    /// post it (used by the demo for its own clients).
    public var statisticsHandler: @Sendable (_ clientName: String, _ json: [UInt8]) -> Void {
        clientStatistics.statisticsHandler
    }

    /// The bound HTTP port.
    public var port: UInt16 { server.port }

    public init(
        configuration: ExporterConfiguration, logger: Logger,
        derivations: [Derivation] = [], extraRoutes: [Route] = []
    ) throws {
        self.logger = logger
        AllocationPolicy.reuseLargeBuffers()
        registry = Registry(constantLabels: configuration.constantLabels.map { ($0.name, $0.value) })
        health = CollectionHealth(version: Version.current, librdkafkaVersion: Version.librdkafka)
        let clientStatistics = ClientStatsCollector(registry: registry, expiry: configuration.statistics.expiry, logger: logger)
        self.clientStatistics = clientStatistics
        var ownClients = configuration.kafka
        if let interval = configuration.statistics.ownClientsInterval {
            ownClients.set("statistics.interval.ms", String(Int(interval.seconds * 1000)))
        }
        let ownStatistics = ClientCallbacks(statistics: clientStatistics.statisticsHandler)
        let factory = KafkaClients(base: ownClients, logger: logger, onStatistics: clientStatistics.statisticsHandler)
        clients = ClusterCollector.Clients(
            cluster: try factory.make(role: "cluster"),
            listGroups: factory.makeAdmin(role: "list-groups"),
            describeGroups: factory.makeAdmin(role: "describe-groups"),
            groupOffsets: factory.makeAdmin(role: "group-offsets"))
        collector = ClusterCollector(settings: configuration.collection, clients: clients, logger: logger)

        let insights = OffsetInsights(settings: configuration.insights)
        var router = Router(onBodyRejected: StatsRoute.countsTooLarge(collector: clientStatistics))
        router.add(.metrics(path: configuration.telemetryPath, registry: registry))
        router.add(StatsRoute.make(
            collector: clientStatistics, maxBodyBytes: configuration.statistics.maxBodyBytes, token: configuration.statistics.token))
        router.add(Routes.health())
        router.add(Routes.ready(health: health))
        router.add(Routes.groups(insights))
        extraRoutes.forEach { router.add($0) }
        router.add(Routes.landingPage(
            telemetryPath: configuration.telemetryPath, extraLinks: [(Routes.groupsPath, "Consumer groups (JSON)")],
            health: health, latest: latest))
        var options = HTTPServer.Options()
        options.connectionLimit = configuration.maxConnections
        let refusals = ThrottledWarning("HTTP request refused (counted in kafka_exporter_http_requests_failed_total)", logger: logger)
        server = try HTTPServer(address: configuration.listenAddress, router: router, options: options) { message in
            refusals.record(message.trimmingCharacters(in: .whitespacesAndNewlines))
        }

        duplicates = try configuration.duplicates.map { settings in
            try DuplicateDetector(settings: settings, kafka: ownClients, logger: logger, callbacks: ownStatistics)
        }
        statisticsTopic = try configuration.statistics.topic.map { topic in
            var readerClient = ownClients
            readerClient.set("client.id", "\(configuration.kafka.value(for: "client.id") ?? "kafka-exporter")-stats-topic")
            return try StatsTopicReader(
                topic: topic, configuration: readerClient, collector: clientStatistics, callbacks: ownStatistics, logger: logger)
        }
        var allDerivations = [
            Derivation(source: "cluster", derive: ClusterFamilies.build),
            Derivation(source: "insights", derive: insights.update),
        ] + derivations
        if let duplicates { allDerivations.append(Derivation(source: "duplicates", derive: duplicates.update)) }
        if !configuration.pipelines.isEmpty {
            let tracker = PipelineTracker(stages: configuration.pipelines, window: configuration.pipelineWindow)
            allDerivations.append(Derivation(source: "pipeline") { tracker.families(tracker.update(with: $0)) })
        }
        let httpStatistics = server.statistics
        scheduler = CollectionScheduler(interval: configuration.collectInterval) { [collector, health, registry, latest, clients, logger, allDerivations] in
            let cycle = collector.collect()
            health.record(cycle)
            let replacements = clients.listGroups.replacements + clients.describeGroups.replacements + clients.groupOffsets.replacements
            var updates = ["health": health.families(handleReplacements: replacements), "http": httpStatistics.families()]
            if let state = cycle.state {
                latest.set(state)
                for derivation in allDerivations { updates[derivation.source] = derivation.derive(state) }
            }
            registry.publish(updates)
            logger.debug("collection cycle", metadata: [
                "duration_seconds": "\(cycle.duration.seconds)", "up": "\(cycle.succeeded)",
                "topics": "\(cycle.state?.topics.count ?? 0)", "groups": "\(cycle.state?.groups.count ?? 0)",
            ])
        }
        registry.publish(source: "health", families: health.families(handleReplacements: 0))
    }

    public func start() {
        logger.info("kafka-exporter started", metadata: [
            "version": "\(Version.current)", "librdkafka": "\(Version.librdkafka)",
            "listen": "\(server.address)", "port": "\(server.port)",
        ])
        clientStatistics.start()
        statisticsTopic?.start()
        duplicates?.start()
        scheduler.start()
    }

    /// Stops collecting and serving; idempotent.
    public func stop() {
        scheduler.stop()
        duplicates?.stop()
        statisticsTopic?.stop()
        server.stop()
        clients.cluster.close()
        clientStatistics.stop()
    }
}
