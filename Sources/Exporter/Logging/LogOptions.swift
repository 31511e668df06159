import ArgumentParser
import Support

/// How the exporter logs: level and format, and kafka_exporter's `--verbosity`.
struct LogOptions: ParsableArguments, Sendable {
    private static let defaults = LogSettings()

    @Option(name: .customLong("log.level"), help: "Log level: trace, debug, info, warning, error (default: \(defaults.level.rawValue)).") var level: String?

    @Option(name: .customLong("log.format"), help: "Log format: logfmt or json.") var format: String = defaults.format.rawValue

    @Option(name: .customLong("verbosity"), help: "kafka_exporter's klog verbosity, used when --log.level is not given: 0 info, 1 debug, 2 or more trace.") var verbosity: Int?

    @Flag(name: .customLong("log.enable-sarama"), inversion: .prefixedNo, help: "Accepted for kafka_exporter; ignored (librdkafka's own debug logs: -X debug=broker,protocol with --log.level debug).") var enableSarama = false

    func settings() throws(ConfigurationError) -> LogSettings {
        if level == nil, let verbosity {
            guard verbosity >= 0 else { throw ConfigurationError("--verbosity must be 0 or more") }
            return try LogSettings(level: verbosity == 0 ? "info" : verbosity == 1 ? "debug" : "trace", format: format)
        }
        return try LogSettings(level: level ?? Self.defaults.level.rawValue, format: format)
    }

    /// kafka_exporter flags given here that have no effect.
    var ignored: [String] {
        enableSarama ? ["--log.enable-sarama"] : []
    }
}
