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
    /// Every source (`SourceCatalog`), its flags validated.
    package var sources: [SourcePlan] = []
    /// What the process does before it starts the exporter.
    package var startup = Startup()

    package struct Startup: Sendable {
        /// kafka_exporter flags given on the command line that have no effect here, for one warning.
        package var ignoredFlags: [String] = []
        /// Environment variables libraries read (KRB5_CONFIG), set before the first Kafka handle.
        package var environment: [String: String] = [:]
    }

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
