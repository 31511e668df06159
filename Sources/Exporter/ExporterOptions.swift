import ArgumentParser
import Cluster
import Foundation
import HTTP
import Kafka
import Support

/// The exporter's flags. Names and defaults follow kafka_exporter where it has the same flag.
package struct ExporterOptions: ParsableArguments {
    @Option(name: .customLong("kafka.server"), help: "Kafka broker address host:port (repeatable, or comma-separated).") var servers: [String] = ["localhost:9092"]

    @Option(name: .customLong("kafka.labels"), help: "Constant labels added to every sample: name=value,name=value.") var labels: String = ""

    @Option(name: .customLong("kafka.config-file"), help: "librdkafka properties file (key=value lines), applied before -X.") var configFile: String?

    @Option(name: .customShort("X"), help: ArgumentHelp("librdkafka property key=value (repeatable), like kcat's -X.", valueName: "key=value")) var properties: [String] = []

    @Flag(name: .customLong("sasl.enabled"), help: "Connect using SASL.") var saslEnabled = false

    @Option(name: .customLong("sasl.mechanism"), help: "SASL mechanism: plain, scram-sha256, scram-sha512, gssapi or oauthbearer.") var saslMechanism: String = "plain"

    @Option(name: .customLong("sasl.username"), help: "SASL user name.") var saslUsername: String?

    @Option(name: .customLong("sasl.password"), help: "SASL password (or set SASL_USER_PASSWORD in the environment).") var saslPassword: String?

    @Flag(name: .customLong("tls.enabled"), help: "Connect using TLS.") var tlsEnabled = false

    @Option(name: .customLong("tls.ca-file"), help: "CA certificate file for verifying the brokers.") var tlsCAFile: String?

    @Option(name: .customLong("tls.cert-file"), help: "Client certificate file.") var tlsCertFile: String?

    @Option(name: .customLong("tls.key-file"), help: "Client private key file.") var tlsKeyFile: String?

    @Flag(name: .customLong("tls.insecure-skip-tls-verify"), help: "Do not verify the brokers' certificates.") var tlsInsecure = false

    @OptionGroup package var collection: CollectionOptions

    @OptionGroup var sources: SourceCatalog

    @OptionGroup var web: WebOptions

    @Option(name: .customLong("log.level"), help: "Log level: trace, debug, info, warning, error.") var logLevel: String = "info"

    @Option(name: .customLong("log.format"), help: "Log format: logfmt or json.") var logFormat: String = "logfmt"

    package init() {}

    package mutating func validate() throws {
        _ = try makeConfiguration()
        _ = try makeLogSettings()
    }

    package func makeLogSettings() throws(ConfigurationError) -> LogSettings {
        try LogSettings(level: logLevel, format: logFormat)
    }

    /// Builds and validates the configuration; every problem is one line naming the flag.
    package func makeConfiguration(environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigurationError) -> ExporterConfiguration {
        let kafka = try kafkaConfiguration(environment: environment)
        do {
            try kafka.validate()
        } catch {
            throw ConfigurationError(error.description)
        }
        var configuration = ExporterConfiguration(
            kafka: kafka, collection: try collection.settings(), web: try web.settings(), constantLabels: try constantLabels())
        configuration.sources = sources.all
        return configuration
    }

    private func constantLabels() throws(ConfigurationError) -> [ExporterConfiguration.Label] {
        let pairs = labels.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return try pairs.map { (pair: String) throws(ConfigurationError) -> ExporterConfiguration.Label in
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, parts[0].range(of: "^[a-zA-Z_][a-zA-Z0-9_]*$", options: .regularExpression) != nil,
                  !parts[0].hasPrefix("__")
            else {
                throw ConfigurationError("--kafka.labels: \"\(pair)\" is not name=value with a valid Prometheus label name")
            }
            return ExporterConfiguration.Label(name: parts[0], value: parts[1])
        }
    }
}
