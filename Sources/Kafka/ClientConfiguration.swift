import CRdKafka
import Support

/// librdkafka configuration properties, validated by librdkafka itself.
package struct ClientConfiguration: Sendable, Equatable {
    package struct Property: Sendable, Equatable {
        package let key: String
        package let value: String
    }

    package private(set) var properties: [Property] = []

    package init(_ properties: [(String, String)] = []) {
        for (key, value) in properties { set(key, value) }
    }

    /// Sets `key`, replacing an earlier value (so later sources override earlier ones).
    package mutating func set(_ key: String, _ value: String) {
        properties.removeAll { $0.key == key }
        properties.append(Property(key: key, value: value))
    }

    package func value(for key: String) -> String? {
        properties.last { $0.key == key }?.value
    }

    package func merging(_ other: ClientConfiguration) -> ClientConfiguration {
        var merged = self
        for property in other.properties { merged.set(property.key, property.value) }
        return merged
    }

    /// Keys whose values must never be logged or shown.
    package static func isSecret(_ key: String) -> Bool {
        let lowered = key.lowercased()
        return ["password", "secret", "token", "key.pem", "jaas"].contains { lowered.contains($0) }
    }

    /// Checks every property with librdkafka (unknown keys and invalid values fail here).
    package func validate() throws(KafkaError) {
        rd_kafka_conf_destroy(try makeConf())
    }

    /// Checks every property as a consumer's, and the properties against each other, which librdkafka
    /// 2.0.2 does only when it builds a handle (`max.poll.interval.ms` ≥ `session.timeout.ms`, say):
    /// builds the consumer without bootstrap servers, so that it connects nowhere, and destroys it at once.
    package func validateAsConsumer() throws(KafkaError) {
        let unconnected = ClientConfiguration(
            properties.filter { !["bootstrap.servers", "metadata.broker.list"].contains($0.key) }.map { ($0.key, $0.value) })
        // Without brokers librdkafka warns that it cannot connect: expected here, so not logged.
        let quiet = ClientCallbacks(log: { _, _, _ in })
        try KafkaClient(kind: .consumer, configuration: unconnected, callbacks: quiet).close(leavingGroup: false)
    }

    /// A new `rd_kafka_conf_t`; the caller owns it until it is handed to `rd_kafka_new`.
    func makeConf() throws(KafkaError) -> OpaquePointer {
        let conf = rd_kafka_conf_new()!
        var errorText = [CChar](repeating: 0, count: 512)
        for property in properties {
            let result = rd_kafka_conf_set(conf, property.key, property.value, &errorText, errorText.count)
            if result != RD_KAFKA_CONF_OK {
                rd_kafka_conf_destroy(conf)
                let reason = string(fromCBuffer: errorText)
                // librdkafka echoes the value in some messages; never let a secret through.
                let shown = Self.isSecret(property.key) ? "invalid value" : reason
                throw KafkaError.invalidArgument("librdkafka property \(property.key): \(shown)")
            }
        }
        return conf
    }

    /// Parses a librdkafka/Java-style properties file: `key=value` lines, `#` or `!` comments.
    package static func parseProperties(_ contents: String, source: String) throws(KafkaError) -> ClientConfiguration {
        var configuration = ClientConfiguration()
        for (index, rawLine) in contents.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix("!") { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw KafkaError.invalidArgument("\(source):\(index + 1): expected key=value")
            }
            let key = line[..<equals].trimmingWhitespace()
            guard !key.isEmpty else { throw KafkaError.invalidArgument("\(source):\(index + 1): empty key") }
            configuration.set(key, line[line.index(after: equals)...].trimmingWhitespace())
        }
        return configuration
    }
}
