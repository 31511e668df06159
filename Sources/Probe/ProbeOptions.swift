import ArgumentParser
import Cluster
import Exposition
import MetricSources
import Support

/// The `--probe.*` flags; the probe is off unless `--probe.enabled` is given.
package struct ProbeOptions: SourceOptions {
    private static let defaults = ProbeSettings()

    @Flag(name: .customLong("probe.enabled"), help: "Produce and read back a record per partition of the probe topic every interval.") package var enabled = false

    @Option(name: .customLong("probe.topic"), help: "The probe's topic; created with one partition per broker when missing, never changed when it exists.") package var topic = defaults.topic

    @Option(name: .customLong("probe.group"), help: "Consumer group in which the probe commits what it read.") var group = defaults.group

    @Option(name: .customLong("probe.interval"), help: "Time between two probe records on each partition.") var interval = DurationParsing.format(defaults.interval)

    @Option(name: .customLong("probe.timeout"), help: "A record not acknowledged within this time failed; one acknowledged but not read back within it is lost.") var timeout = DurationParsing.format(defaults.timeout)

    package init() {}

    /// nil while the probe is off.
    package func settings() throws(ConfigurationError) -> ProbeSettings? {
        guard enabled else { return nil }
        var settings = ProbeSettings()
        guard Self.isValidTopicName(topic) else {
            throw ConfigurationError("--probe.topic: \"\(topic)\" is not a valid topic name (1-249 of a-z A-Z 0-9 . _ -)")
        }
        guard !group.isEmpty else { throw ConfigurationError("--probe.group must not be empty") }
        settings.topic = topic
        settings.group = group
        settings.interval = try FlagValue.positiveDuration(interval, flag: "--probe.interval")
        settings.timeout = try FlagValue.positiveDuration(timeout, flag: "--probe.timeout")
        guard settings.timeout > settings.interval else { throw ConfigurationError("--probe.timeout must be longer than --probe.interval") }
        return settings
    }

    static func isValidTopicName(_ name: String) -> Bool {
        (1...249).contains(name.utf8.count) && name != "." && name != ".."
            && name.utf8.allSatisfy { $0.isASCIIAlphanumeric || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    }

    package func makeSource(_ settings: ProbeSettings?, in context: SourceContext) throws -> ProbeSource? {
        // One probe per cluster: with shards, replica 0 probes (every replica would write the same topic
        // and commit for the same group).
        guard let settings, context.shard.ownsClusterWide else { return nil }
        return ProbeSource(prober: try Prober(settings: settings, kafka: context.kafka, logger: context.logger))
    }
}

private extension UInt8 {
    var isASCIIAlphanumeric: Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self)
    }
}
