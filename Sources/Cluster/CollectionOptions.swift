import ArgumentParser
import Support

/// What the collection reads and how often: the topic and group filters, static groups, intervals and
/// deadlines. Names and defaults follow kafka_exporter where it has the same flag, but for
/// `--group.workers`: 16 requests in flight by default here, where kafka_exporter runs 100 workers.
package struct CollectionOptions: ParsableArguments, Sendable {
    private static let defaults = CollectionSettings()
    private static let staticGroupHelp = "Consumer group to collect even where the broker does not list groups (repeatable); with topics, only their offsets are read. Not subject to the group filters."

    @Option(name: .customLong("topic.filter"), help: "Regex: only topics whose names match are collected.") var topicFilter: String = defaults.topicFilter.include

    @Option(name: .customLong("topic.exclude"), help: "Regex: topics whose names match are not collected.") var topicExclude: String = defaults.topicFilter.exclude

    @Flag(name: .customLong("topic.include-internal"), inversion: .prefixedNo, help: "Also collect internal topics (names starting with __).") var includeInternalTopics = defaults.includeInternalTopics

    @Option(name: .customLong("group.filter"), help: "Regex: only consumer groups whose names match are collected.") var groupFilter: String = defaults.groupFilter.include

    @Option(name: .customLong("group.exclude"), help: "Regex: consumer groups whose names match are not collected.") var groupExclude: String = defaults.groupFilter.exclude

    @Option(name: .customLong("group.static"), help: ArgumentHelp(staticGroupHelp, valueName: "group[:topic,topic...]"))
    package var staticGroups: [String] = []

    @Flag(name: .customLong("group.discovery"), inversion: .prefixedNo, help: "Discover consumer groups with ListConsumerGroups.") var discoverGroups = defaults.discoverGroups

    @Option(name: .customLong("collect.interval"), parsing: .unconditional, help: "Time between collection cycles.") var interval: String = DurationParsing.format(defaults.interval)

    @Option(name: .customLong("collect.timeout"), parsing: .unconditional, help: "Deadline of each Kafka request in a cycle.") var timeout: String = DurationParsing.format(defaults.requestTimeout)

    @Option(
        name: [.customLong("collect.max-inflight"), .customLong("group.workers")], parsing: .unconditional,
        help: "Consumer-group offset requests in flight at once, 0 or less for no limit (kafka_exporter's --group.workers).")
    package var maxInFlight: Int = defaults.maxGroupRequestsInFlight

    @OptionGroup var shard: ShardOptions

    package init() {}

    /// The validated settings; every problem is one line naming the flag.
    package func settings() throws(ConfigurationError) -> CollectionSettings {
        var settings = CollectionSettings()
        settings.topicFilter = try Self.filter(include: topicFilter, exclude: topicExclude, flags: ("--topic.filter", "--topic.exclude"))
        settings.groupFilter = try Self.filter(include: groupFilter, exclude: groupExclude, flags: ("--group.filter", "--group.exclude"))
        settings.includeInternalTopics = includeInternalTopics
        settings.discoverGroups = discoverGroups
        settings.staticGroups = try staticGroups.map(StaticGroup.init(parsing:))
        settings.requestTimeout = try FlagValue.positiveDuration(timeout, flag: "--collect.timeout")
        // kafka_exporter's worker pool has no limit when --group.workers is 0 or less.
        settings.maxGroupRequestsInFlight = maxInFlight > 0 ? maxInFlight : .max
        settings.shard = try shard.shard()
        settings.interval = try FlagValue.positiveDuration(interval, flag: "--collect.interval")
        guard settings.interval >= .milliseconds(100) else { throw ConfigurationError("--collect.interval must be at least 100ms") }
        return settings
    }

    private static func filter(include: String, exclude: String, flags: (include: String, exclude: String)) throws(ConfigurationError) -> NameFilter {
        do {
            return try NameFilter(include: include, exclude: exclude)
        } catch {
            throw ConfigurationError("\(error.inExclude ? flags.exclude : flags.include): \(error)")
        }
    }
}
