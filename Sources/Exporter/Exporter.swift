import Cluster
import Exposition
import HTTP
import Kafka
import Logging
import MetricSources
import Support

/// The running exporter: a collection loop whose cycles every source turns into families, the
/// registry holding them, and the HTTP server reading it.
package final class Exporter: Sendable {
    package let registry: Registry
    private let collector: ClusterCollector
    private let sources: SourceSet
    private let server: HTTPServer
    private let scheduler: CollectionScheduler
    private let ownStatistics: StatisticsRelay
    private let logger: Logger

    /// Hands a librdkafka statistics document to the exporter as its own handles' `stats_cb` does
    /// (the demo passes its clients' documents this way).
    package var statisticsHandler: @Sendable (_ clientName: String, _ json: [UInt8]) -> Void {
        ownStatistics.forward
    }

    /// The bound HTTP port.
    package var port: UInt16 { server.port }

    package init(configuration: ExporterConfiguration, logger: Logger, extraRoutes: [Route] = []) throws {
        self.logger = logger
        AllocationPolicy.reuseLargeBuffers()
        registry = Registry(constantLabels: configuration.constantLabels.map { ($0.name, $0.value) })
        var kafka = configuration.kafka
        var collection = configuration.collection
        for plan in configuration.sources {
            for (key, value) in plan.kafkaProperties { kafka.set(key, value) }
            for group in plan.staticGroups where !collection.staticGroups.contains(where: { $0.id == group.id }) {
                collection.staticGroups.append(group)
            }
        }
        let ownStatistics = StatisticsRelay()
        self.ownStatistics = ownStatistics
        let factory = KafkaClientFactory(base: kafka, logger: logger, statistics: ownStatistics.forward)
        let httpStatistics = HTTPStatistics()
        let context = SourceContext(kafka: factory, logger: logger, ownStatistics: ownStatistics, httpStatistics: httpStatistics)
        let made = try configuration.sources.compactMap { try $0.makeSource(in: context) }
        sources = SourceSet(made, registry: registry)
        // The landing page shows what the health source saw last.
        guard let health = made.lazy.compactMap({ $0 as? ExporterHealth }).first else {
            preconditionFailure("SourceCatalog lists the exporter's health")
        }
        collector = ClusterCollector(settings: collection, clients: try ClusterCollector.Clients(factory), logger: logger)

        var options = HTTPServer.Options()
        options.connectionLimit = configuration.maxConnections
        let refusals = ThrottledWarning("HTTP request refused (counted in kafka_exporter_http_requests_failed_total)", logger: logger)
        let routes = RouteTable.routes(
            telemetryPath: configuration.telemetryPath, registry: registry, sources: sources, health: health, extra: extraRoutes)
        server = try HTTPServer(
            address: configuration.listenAddress, router: Router(routes: routes), options: options, statistics: httpStatistics
        ) { message in
            refusals.record(message.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        scheduler = CollectionScheduler(interval: collection.interval) { [collector, sources, logger] in
            let cycle = collector.collect()
            sources.publish(after: cycle)
            logger.debug("collection cycle", metadata: [
                "duration_seconds": "\(cycle.duration.seconds)", "up": "\(cycle.succeeded)",
                "topics": "\(cycle.state?.topics.count ?? 0)", "groups": "\(cycle.state?.groups.count ?? 0)",
            ])
        }
    }

    package func start() {
        sources.start()
        scheduler.start()
        logger.info("kafka-exporter started", metadata: [
            "version": "\(Version.current)", "librdkafka": "\(Version.librdkafka)",
            "listen": "\(server.address)", "port": "\(server.port)",
        ])
    }

    /// Stops collecting and serving; idempotent. With `limit`, waits at most that long for the
    /// collection cycle in progress (a Kafka request may block up to --collect.timeout) and leaves its
    /// handles open if it is still running: for a process that is about to exit.
    package func stop(waitingAtMost limit: Duration? = nil) {
        let cycleEnded = scheduler.stop(waitingAtMost: limit)
        sources.stop()
        server.stop()
        guard cycleEnded else {
            logger.info("not waiting for the collection cycle in progress")
            return
        }
        collector.close()
    }
}
