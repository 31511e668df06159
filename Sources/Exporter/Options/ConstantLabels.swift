import Support

/// `--kafka.labels`: constant labels added to every sample. A name must be a valid Prometheus label
/// name, given once, and not one the exporter's own series carry: a sample with the same label
/// twice makes the whole exposition unparseable.
enum ConstantLabels {
    /// Every label name the exporter's series use (GoldenExpositionTests checks this list against
    /// its output), and those Prometheus gives a meaning to in histograms and summaries.
    static let reserved: Set<String> = [
        "address", "assignor", "broker", "client_id", "code", "consumergroup", "coordinator", "host", "id", "le",
        "librdkafka_version", "member", "partition", "policy", "port", "quantile", "reason", "revision", "source", "stage",
        "state", "swiftversion", "topic", "type", "version",
    ]

    static func parse(_ text: String) throws(ConfigurationError) -> [ExporterConfiguration.Label] {
        var labels: [ExporterConfiguration.Label] = []
        for pair in text.split(separator: ",").map({ $0.trimmingWhitespace() }) where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2 else { throw ConfigurationError("--kafka.labels: \"\(pair)\" is not name=value") }
            let name = parts[0]
            guard isValidName(name) else {
                throw ConfigurationError("--kafka.labels: \"\(name)\" is not a valid Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*, not starting with __)")
            }
            guard !reserved.contains(name) else {
                throw ConfigurationError("--kafka.labels: \"\(name)\" is a label of the exporter's own series; choose another name")
            }
            guard !labels.contains(where: { $0.name == name }) else { throw ConfigurationError("--kafka.labels: \"\(name)\" is given twice") }
            labels.append(ExporterConfiguration.Label(name: name, value: parts[1]))
        }
        return labels
    }

    private static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !name.hasPrefix("__") else { return false }
        let letters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_".unicodeScalars)
        let digits = Set("0123456789".unicodeScalars)
        return letters.contains(first) && name.unicodeScalars.allSatisfy { letters.contains($0) || digits.contains($0) }
    }
}
