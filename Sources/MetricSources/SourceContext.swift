import Cluster
import HTTP
import Kafka
import Logging

/// What the exporter hands every source when it makes it.
package struct SourceContext: Sendable {
    /// Builds every librdkafka handle a source needs (client.id, logging, statistics).
    package let kafka: KafkaClientFactory
    package let logger: Logger
    /// Statistics documents of the handles `kafka` builds (the exporter's own clients).
    package let ownStatistics: StatisticsRelay
    /// What the HTTP server answered, for the exporter's own health.
    package let httpStatistics: HTTPStatistics
    /// The part of the cluster this replica reports (`--shard.*`).
    package let shard: Shard

    package init(
        kafka: KafkaClientFactory, logger: Logger, ownStatistics: StatisticsRelay, httpStatistics: HTTPStatistics, shard: Shard = .whole
    ) {
        self.shard = shard
        self.kafka = kafka
        self.logger = logger
        self.ownStatistics = ownStatistics
        self.httpStatistics = httpStatistics
    }
}
