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
    private let servers: [HTTPServer]
    private let scheduler: CollectionScheduler
    private let ownStatistics: StatisticsRelay
    private let logger: Logger

    /// Hands a librdkafka statistics document to the exporter as its own handles' `stats_cb` does
    /// (the demo passes its clients' documents this way).
    package var statisticsHandler: @Sendable (_ clientName: String, _ json: [UInt8]) -> Void {
        ownStatistics.forward
    }

    /// The bound HTTP port (of the first listen address).
    package var port: UInt16 { servers[0].port }

    package init(configuration: ExporterConfiguration, logger: Logger, extraRoutes: [Route] = []) throws {
        self.logger = logger
        // Bound before any Kafka client starts: a taken port ends the process with nothing to undo.
        var sockets: [ListeningSocket] = []
        for address in configuration.web.listenAddresses {
            do {
                sockets.append(try ListeningSocket(address))
            } catch {
                sockets.forEach { $0.closeUnused() }
                throw error
            }
        }
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
        let context = SourceContext(
            kafka: factory, logger: logger, ownStatistics: ownStatistics, httpStatistics: httpStatistics, shard: collection.shard)
        let made = try configuration.sources.compactMap { try $0.makeSource(in: context) }
        sources = SourceSet(made, registry: registry)
        // The landing page shows what the health source saw last.
        guard let health = made.lazy.compactMap({ $0 as? ExporterHealth }).first else {
            preconditionFailure("SourceCatalog lists the exporter's health")
        }
        collector = ClusterCollector(settings: collection, clients: try ClusterCollector.Clients(factory), logger: logger)

        let refusals = ThrottledWarning("HTTP request refused (counted in kafka_exporter_http_requests_failed_total)", logger: logger)
        let routes = RouteTable.routes(
            telemetryPath: configuration.telemetryPath, registry: registry, sources: sources, health: health, extra: extraRoutes)
        var servers: [HTTPServer] = []
        for (index, socket) in sockets.enumerated() {
            do {
                servers.append(try HTTPServer(
                    socket: socket, router: Router(routes: routes), options: configuration.web.server, statistics: httpStatistics,
                    onProtocolError: refusals.record))
            } catch {
                sockets[(index + 1)...].forEach { $0.closeUnused() }
                servers.forEach { $0.stop() }
                throw error
            }
        }
        self.servers = servers
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
            "listen": "\(servers.map { "\($0.address)" }.joined(separator: ","))", "port": "\(port)",
        ])
        let refused = AllocationPolicy.refused.withLock { $0 }
        if !refused.isEmpty {
            logger.warning(
                "the allocator refused the malloc settings; freed memory may be kept or returned differently than documented",
                metadata: ["settings": "\(refused.joined(separator: " "))"])
        }
    }

    /// Stops collecting and serving; idempotent. With `limit`, waits at most that long for the
    /// collection cycle in progress (a Kafka request may block up to --collect.timeout) and leaves its
    /// handles open if it is still running: for a process that is about to exit.
    package func stop(waitingAtMost limit: Duration? = nil) {
        let cycleEnded = scheduler.stop(waitingAtMost: limit)
        sources.stop()
        servers.forEach { $0.stop() }
        guard cycleEnded else {
            logger.info("not waiting for the collection cycle in progress")
            return
        }
        collector.close()
    }
}
