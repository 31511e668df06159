import HTTP
import Kafka
import Logging
import MetricSources

extension SourceContext {
    /// A context for making sources in tests: its factory points at a closed loopback port, so only a
    /// source that builds a handle (duplicates, a statistics topic) would ever try to connect.
    /// `properties` go on top of the bootstrap servers.
    package static func unconnected(logger: Logger, properties: [(String, String)] = []) -> SourceContext {
        SourceContext(
            kafka: KafkaClientFactory(base: ClientConfiguration([("bootstrap.servers", "127.0.0.1:1")] + properties), logger: logger),
            logger: logger, ownStatistics: StatisticsRelay(), httpStatistics: HTTPStatistics())
    }
}
