import Logging
import Support

package struct LogSettings: Sendable {
    package enum Format: String, Sendable {
        case logfmt
        case json
    }

    package let level: Logger.Level
    package let format: Format

    package init(level: Logger.Level = .info, format: Format = .logfmt) {
        self.level = level
        self.format = format
    }

    init(level: String, format: String) throws(ConfigurationError) {
        let levels: [String: Logger.Level] = [
            "trace": .trace, "debug": .debug, "info": .info, "notice": .notice, "warn": .warning,
            "warning": .warning, "error": .error, "critical": .critical,
        ]
        guard let parsedLevel = levels[level.lowercased()] else {
            throw ConfigurationError("--log.level \"\(level)\": use trace, debug, info, warning or error")
        }
        guard let parsedFormat = Format(rawValue: format.lowercased()) else {
            throw ConfigurationError("--log.format \"\(format)\": use logfmt or json")
        }
        self.init(level: parsedLevel, format: parsedFormat)
    }

    package func makeLogger(label: String = "kafka-exporter") -> Logger {
        var logger = Logger(label: label) { [format] label in StructuredLogHandler(label: label, format: format) }
        logger.logLevel = level
        return logger
    }
}
