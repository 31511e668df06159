import ArgumentParser
import Cluster
import MetricSources
import Support

package struct DuplicateSettings: Sendable {
    package var topics: NameFilter
    package var window: Duration = .seconds(600)
    /// One record in this many is examined (consistent hash sampling); doubles when a topic's
    /// window would hold more than `maxEntriesPerTopic` hashes. Every record at first: a quiet topic
    /// needs all of its records for a ratio within `RatioPrecision.publishedWithin` in a minute, and a
    /// busy one reaches the entry limit within its first window and samples from then on.
    package var samplingFactor: UInt64 = 1
    package var maxEntriesPerTopic = 200_000

    package init(topics: NameFilter) {
        self.topics = topics
    }
}

/// The `--duplicates.*` flags; duplicate detection is off until `--duplicates.topic` names topics.
package struct DuplicateOptions: SourceOptions {
    private static let defaults = DuplicateSettings(topics: .everything)

    @Option(name: .customLong("duplicates.topic"), help: "Regex: read these topics and count records whose key and value repeat (off when unset).") package var topic: String?

    @Option(name: .customLong("duplicates.window"), parsing: .unconditional, help: "How long a record's content is remembered for duplicate detection.") var window: String = DurationParsing.format(defaults.window)

    @Option(name: .customLong("duplicates.sample"), help: "Examine one record in this many at first (consistent hash sampling); doubles while a topic's window would hold more than --duplicates.max-entries hashes.") var sample: UInt64 = defaults.samplingFactor

    @Option(name: .customLong("duplicates.max-entries"), help: "Content hashes kept per topic at most; beyond, the sampling factor doubles.") var maxEntries: Int = defaults.maxEntriesPerTopic

    package init() {}

    /// nil while duplicate detection is off.
    package func settings() throws(ConfigurationError) -> DuplicateSettings? {
        guard let topic else { return nil }
        let filter: NameFilter
        do {
            filter = try NameFilter(include: topic)
        } catch {
            throw ConfigurationError("--duplicates.topic: \(error)")
        }
        var settings = DuplicateSettings(topics: filter)
        settings.window = try FlagValue.positiveDuration(window, flag: "--duplicates.window")
        guard sample >= 1 else { throw ConfigurationError("--duplicates.sample must be at least 1") }
        guard maxEntries >= 1 else { throw ConfigurationError("--duplicates.max-entries must be at least 1") }
        settings.samplingFactor = sample
        settings.maxEntriesPerTopic = maxEntries
        return settings
    }

    package func makeSource(_ settings: DuplicateSettings?, in context: SourceContext) throws -> DuplicateSource? {
        guard let settings else { return nil }
        let reader = DuplicateReader(settings: settings, consumer: try context.kafka.assignedConsumer(role: "duplicates"), logger: context.logger)
        return DuplicateSource(topics: settings.topics, reader: reader)
    }
}
