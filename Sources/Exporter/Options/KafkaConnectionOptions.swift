import ArgumentParser
import FoundationEssentials
import Kafka
import Support

/// Where the brokers are and the librdkafka properties applied on top of every other flag.
struct KafkaConnectionOptions: ParsableArguments, Sendable {
    @Option(name: .customLong("kafka.server"), help: "Kafka broker address host:port (repeatable, or comma-separated).") var servers: [String] = ["localhost:9092"]

    @Option(name: .customLong("kafka.version"), help: "Broker version for brokers too old to say which requests they support (librdkafka's broker.version.fallback); newer brokers are asked.") var brokerVersion: String?

    @Option(name: .customLong("kafka.config-file"), help: "librdkafka properties file (key=value lines), applied before -X.") var configFile: String?

    @Option(name: .customShort("X"), help: ArgumentHelp("librdkafka property key=value (repeatable), like kcat's -X.", valueName: "key=value")) var properties: [String] = []

    /// The broker list and version; the first properties of every handle.
    func base() throws(ConfigurationError) -> ClientConfiguration {
        var configuration = ClientConfiguration()
        let brokers = servers.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }.map { $0.trimmingWhitespace() }
        guard !brokers.isEmpty, !brokers.contains(where: \.isEmpty) else { throw ConfigurationError("--kafka.server: empty broker address") }
        configuration.set("bootstrap.servers", brokers.joined(separator: ","))
        if let brokerVersion {
            // sarama's forms: 0.8.2.0 … 0.11.0.2 (four parts) and 1.0.0 onwards (three parts).
            guard brokerVersion.wholeMatch(of: /0\.\d+\.\d+\.\d+|[1-9]\d*\.\d+\.\d+/) != nil else {
                throw ConfigurationError("--kafka.version \"\(brokerVersion)\": not a Kafka version such as 0.11.0.0 or 3.6.0")
            }
            configuration.set("broker.version.fallback", brokerVersion)
        }
        return configuration
    }

    /// The properties file, then -X: later wins over everything the other flags set.
    func applyOverrides(to configuration: inout ClientConfiguration) throws(ConfigurationError) {
        if let configFile {
            guard let contents = FileManager.default.contents(atPath: configFile) else {
                throw ConfigurationError("--kafka.config-file \(configFile): file not readable")
            }
            do {
                configuration = configuration.merging(try ClientConfiguration.parseProperties(String(decoding: contents, as: UTF8.self), source: configFile))
            } catch {
                throw ConfigurationError("--kafka.config-file \(error)")
            }
        }
        for property in properties {
            let parts = property.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else { throw ConfigurationError("-X \"\(property)\": expected key=value") }
            configuration.set(parts[0], parts[1])
        }
    }
}
