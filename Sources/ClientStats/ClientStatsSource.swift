import Cluster
import Exposition
import HTTP
import Kafka
import MetricSources
import Support

/// The `kafka_client_*` families from librdkafka statistics documents: the exporter's own handles',
/// those applications POST to `/api/v1/stats`, and those read from `--stats.topic`. Published on the
/// source's own clock (at most once per `publishInterval`, when something changed), not per cycle.
package final class ClientStatsSource: MetricSource {
    package let name = "client_stats"
    package static var declaredFamilies: [MetricFamily] { ClientStatsCollector.declaredFamilies }
    package let collector: ClientStatsCollector
    package let routes: [Route]
    private let topicReader: StatsTopicReader?
    private let publishInterval: Duration
    private let publisher = BackgroundLoop(name: "client-stats-publisher")

    package init(settings: ClientStatsSettings, context: SourceContext, publishInterval: Duration = .seconds(1)) throws(KafkaError) {
        let collector = ClientStatsCollector(expiry: settings.expiry, limits: settings.limits, logger: context.logger)
        self.collector = collector
        self.publishInterval = publishInterval
        routes = [StatsRoute.make(collector: collector, maxBodyBytes: settings.maxBodyBytes, token: settings.token, allowRemote: settings.allowRemote)]
        // Every replica would read the same documents: with shards, replica 0 reads them.
        let topic = context.shard.ownsClusterWide ? settings.topic : nil
        topicReader = try topic.map { topic throws(KafkaError) in
            try StatsTopicReader(topic: topic, consumer: context.kafka.assignedConsumer(role: "stats-topic"), collector: collector, logger: context.logger)
        }
        context.ownStatistics.connect { _, json in _ = try? collector.ingest(json, from: .own) }
    }

    package func families(after cycle: CollectionCycle) -> [MetricFamily]? { nil }

    /// Publishes now, then changes every `publishInterval` on a thread of its own: the work is
    /// synchronous and must not wait behind blocked threads of a shared pool.
    package func start(publish: @escaping @Sendable ([MetricFamily]) -> Void) {
        publish(collector.families(onlyIfChanged: false) ?? [])
        publisher.start { [collector, publishInterval] in
            if let families = collector.families(onlyIfChanged: true) { publish(families) }
            collector.releaseDroppedMemory()
            return publishInterval
        }
        topicReader?.start()
    }

    package func stop() {
        topicReader?.stop()
        publisher.stop()
    }
}
