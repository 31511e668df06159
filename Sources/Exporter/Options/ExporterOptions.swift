import ArgumentParser
import Cluster
import FoundationEssentials
import HTTP
import Kafka
import Support

/// The exporter's flags, in groups. Names and defaults follow kafka_exporter where it has the same
/// flag; its flags without an equivalent are accepted and reported (README, "Coming from kafka_exporter").
package struct ExporterOptions: ParsableArguments {
    @OptionGroup(title: "Kafka connection") var kafka: KafkaConnectionOptions

    @OptionGroup(title: "SASL") var sasl: SASLOptions

    @OptionGroup(title: "TLS to Kafka") var tls: KafkaTLSOptions

    @Option(name: .customLong("kafka.labels"), help: "Constant labels added to every sample: name=value,name=value.") var labels: String = ""

    @OptionGroup(title: "Collection") package var collection: CollectionOptions

    @OptionGroup var sources: SourceCatalog

    @OptionGroup var web: WebOptions

    @OptionGroup(title: "Log") var log: LogOptions

    @OptionGroup(title: "kafka_exporter flags without an equivalent") var kafkaExporterOnly: KafkaExporterOnlyOptions

    package init() {}

    package func makeLogSettings() throws(ConfigurationError) -> LogSettings {
        try log.settings()
    }

    /// Validates every flag and derives the configuration, once; every problem is one line naming the flag.
    package func makeConfiguration(environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigurationError) -> ExporterConfiguration {
        let kafka = try kafkaConfiguration(environment: environment)
        do {
            try kafka.validate()
        } catch {
            throw ConfigurationError(sasl.flagBehind(error.description).map { "\($0): \(error.description)" } ?? error.description)
        }
        let collection = try collection.settings()
        _ = try log.settings()
        var configuration = ExporterConfiguration(
            kafka: kafka, collection: collection, web: try web.settings(), constantLabels: try ConstantLabels.parse(labels))
        configuration.sources = try sources.plans()
        configuration.startup.ignoredFlags = sasl.ignored + tls.ignored + log.ignored + kafkaExporterOnly.ignored
        configuration.startup.environment = sasl.environment
        return configuration
    }

    /// Broker list, then SASL and TLS flags, then the properties file, then -X: later wins.
    private func kafkaConfiguration(environment: [String: String]) throws(ConfigurationError) -> ClientConfiguration {
        var configuration = try kafka.base()
        try sasl.apply(to: &configuration, tls: tls.enabled, environment: environment)
        try tls.apply(to: &configuration)
        try kafka.applyOverrides(to: &configuration)
        return configuration
    }
}
