import Cluster
import HTTP
import Kafka
import MetricSources

/// Everything the exporter needs to run, validated.
package struct ExporterConfiguration: Sendable {
    package struct Label: Sendable, Equatable {
        package let name: String
        package let value: String
    }

    /// Properties for every librdkafka handle the exporter creates (brokers, security, passthrough).
    package var kafka: ClientConfiguration
    package var collection: CollectionSettings
    /// `--web.*`, `--web.config.file`, `--server.tls.*`.
    package var web: WebSettings
    /// Constant labels added to every sample (`--kafka.labels`).
    package var constantLabels: [Label]
    /// The flags of every source (`SourceCatalog`), validated.
    package var sources: [any SourceOptions] = []

    package init(
        kafka: ClientConfiguration, collection: CollectionSettings = CollectionSettings(),
        web: WebSettings = WebSettings(), constantLabels: [Label] = []
    ) {
        self.kafka = kafka
        self.collection = collection
        self.web = web
        self.constantLabels = constantLabels
    }

    /// The first `--web.listen-address`.
    package var listenAddress: ListenAddress { web.listenAddresses[0] }
    package var telemetryPath: String { web.telemetryPath }
}
