import HTTP
import Kafka
import Logging
import MetricSources

extension SourceContext {
    /// A context for making sources in tests: its factory points at a closed loopback port, so only a
    /// source that builds a handle (duplicates, a statistics topic) would ever try to connect.
    package static func unconnected(logger: Logger) -> SourceContext {
        SourceContext(
            kafka: KafkaClientFactory(base: ClientConfiguration([("bootstrap.servers", "127.0.0.1:1")]), logger: logger),
            logger: logger, ownStatistics: StatisticsRelay(), httpStatistics: HTTPStatistics())
    }
}
