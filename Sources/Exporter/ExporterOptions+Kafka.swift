import Foundation
import Kafka
import Support

extension ExporterOptions {
    /// Broker list, then SASL and TLS flags, then the properties file, then -X: later wins.
    func kafkaConfiguration(environment: [String: String]) throws(ConfigurationError) -> ClientConfiguration {
        var configuration = ClientConfiguration()
        let brokers = servers.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        guard !brokers.isEmpty, !brokers.contains(where: \.isEmpty) else { throw ConfigurationError("--kafka.server: empty broker address") }
        configuration.set("bootstrap.servers", brokers.joined(separator: ","))
        if saslEnabled || tlsEnabled {
            configuration.set("security.protocol", saslEnabled ? (tlsEnabled ? "sasl_ssl" : "sasl_plaintext") : "ssl")
        }
        if saslEnabled {
            let mechanisms = ["plain": "PLAIN", "scram-sha256": "SCRAM-SHA-256", "scram-sha512": "SCRAM-SHA-512", "gssapi": "GSSAPI", "oauthbearer": "OAUTHBEARER"]
            guard let mechanism = mechanisms[saslMechanism.lowercased()] else {
                throw ConfigurationError("--sasl.mechanism \"\(saslMechanism)\": use one of \(mechanisms.keys.sorted().joined(separator: ", "))")
            }
            configuration.set("sasl.mechanism", mechanism)
            if let saslUsername { configuration.set("sasl.username", saslUsername) }
            if let password = saslPassword ?? environment["SASL_USER_PASSWORD"] { configuration.set("sasl.password", password) }
        }
        if tlsEnabled {
            for (flag, path, key) in [("--tls.ca-file", tlsCAFile, "ssl.ca.location"), ("--tls.cert-file", tlsCertFile, "ssl.certificate.location"), ("--tls.key-file", tlsKeyFile, "ssl.key.location")] {
                guard let path else { continue }
                guard FileManager.default.isReadableFile(atPath: path) else { throw ConfigurationError("\(flag) \(path): file not readable") }
                configuration.set(key, path)
            }
            if tlsInsecure {
                configuration.set("enable.ssl.certificate.verification", "false")
                configuration.set("ssl.endpoint.identification.algorithm", "none")
            }
        }
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
        return configuration
    }
}
