import ArgumentParser
import FoundationEssentials
import Kafka
import Support

/// TLS from the exporter to the brokers (not the exporter's own HTTP server).
struct KafkaTLSOptions: ParsableArguments, Sendable {
    @Flag(name: .customLong("tls.enabled"), inversion: .prefixedNo, help: "Connect to Kafka using TLS.") var enabled = false

    @Option(name: .customLong("tls.ca-file"), help: "CA certificate file for verifying the brokers.") var caFile: String?

    @Option(name: .customLong("tls.cert-file"), help: "Client certificate file.") var certFile: String?

    @Option(name: .customLong("tls.key-file"), help: "Client private key file.") var keyFile: String?

    @Flag(name: .customLong("tls.insecure-skip-tls-verify"), inversion: .prefixedNo, help: "Do not verify the brokers' certificates.") var insecure = false

    @Option(name: .customLong("tls.server-name"), help: "Accepted for kafka_exporter; ignored: librdkafka checks each broker's certificate against the broker's own host name.") var serverName: String?

    func apply(to configuration: inout ClientConfiguration) throws(ConfigurationError) {
        guard enabled else { return }
        for (flag, path, key) in [("--tls.ca-file", caFile, "ssl.ca.location"), ("--tls.cert-file", certFile, "ssl.certificate.location"), ("--tls.key-file", keyFile, "ssl.key.location")] {
            guard let path, !path.isEmpty else { continue }
            guard FileManager.default.isReadableFile(atPath: path) else { throw ConfigurationError("\(flag) \(path): file not readable") }
            configuration.set(key, path)
        }
        if insecure {
            configuration.set("enable.ssl.certificate.verification", "false")
            configuration.set("ssl.endpoint.identification.algorithm", "none")
        }
    }

    /// kafka_exporter flags given here that have no effect.
    var ignored: [String] {
        serverName.map { ["--tls.server-name=\($0)"] } ?? []
    }
}
