import ArgumentParser
import MetricSources
import Support

/// The `--stats.*` flags.
package struct ClientStatsSettings: Sendable {
    /// `statistics.interval.ms` of the exporter's own librdkafka handles; nil turns their statistics off.
    package var ownClientsInterval: Duration? = .seconds(30)
    /// Required on `POST /api/v1/stats` when set.
    package var token: BearerToken?
    /// A topic of statistics documents to read (`--stats.topic`).
    package var topic: String?
    /// nil forgets a client after `ClientRegistry.expiryIntervals` × its own interval.
    package var expiry: Duration?
    package var maxBodyBytes = 16 << 20
    package var limits = StatsLimits()
    /// Lets peers on other hosts post without a token (`--stats.allow-remote`).
    package var allowRemote = false

    package init() {}
}

package struct ClientStatsOptions: SourceOptions {
    private static let defaults = ClientStatsSettings()

    @Option(name: .customLong("stats.interval"), parsing: .unconditional, help: "Statistics interval of the exporter's own librdkafka clients (0 turns them off).") var interval: String = DurationParsing.format(defaults.ownClientsInterval ?? .zero)

    @Option(name: .customLong("stats.token-file"), help: "File holding the bearer token POST /api/v1/stats requires (none when unset).") var tokenFile: String?

    @Option(name: .customLong("stats.topic"), help: "Kafka topic of librdkafka statistics documents to read (never committed).") var topic: String?

    @Option(name: .customLong("stats.expiry"), parsing: .unconditional, help: "Forget a client after this long without statistics (default: \(ClientRegistry.expiryIntervals) × its own interval).") var expiry: String?

    @Option(name: .customLong("stats.max-bytes"), help: "Largest statistics document accepted by POST /api/v1/stats (413 beyond).") var maxBytes: Int = defaults.maxBodyBytes

    @Option(name: .customLong("stats.max-clients"), help: "Clients reporting statistics at most, besides the exporter's own; documents of further clients get 429.") var maxClients: Int = defaults.limits.maxClients

    @Option(name: .customLong("stats.max-partitions"), help: "Partitions (or brokers) one statistics document may list; more get 413.") var maxPartitions: Int = defaults.limits.maxPartitions

    @Flag(name: .customLong("stats.allow-remote"), help: "Accept POST /api/v1/stats from other hosts without --stats.token-file (default: loopback only).") var allowRemote = defaults.allowRemote

    package init() {}

    package func settings() throws(ConfigurationError) -> ClientStatsSettings {
        var settings = ClientStatsSettings()
        let interval = try FlagValue.duration(interval, flag: "--stats.interval")
        settings.ownClientsInterval = interval > .zero ? interval : nil
        if let tokenFile {
            do {
                settings.token = try BearerToken(contentsOfFile: tokenFile)
            } catch {
                throw ConfigurationError("--stats.token-file: \(error)")
            }
        }
        if let topic {
            guard !topic.isEmpty else { throw ConfigurationError("--stats.topic: empty topic name") }
            settings.topic = topic
        }
        settings.expiry = try expiry.map { (text: String) throws(ConfigurationError) -> Duration in
            try FlagValue.positiveDuration(text, flag: "--stats.expiry")
        }
        guard maxBytes >= 1024 else { throw ConfigurationError("--stats.max-bytes must be at least 1024") }
        settings.maxBodyBytes = maxBytes
        guard maxClients >= 1 else { throw ConfigurationError("--stats.max-clients must be at least 1") }
        guard maxPartitions >= 1 else { throw ConfigurationError("--stats.max-partitions must be at least 1") }
        settings.limits.maxClients = maxClients
        settings.limits.maxPartitions = maxPartitions
        settings.allowRemote = allowRemote
        return settings
    }

    package func kafkaProperties(_ settings: ClientStatsSettings) -> [(key: String, value: String)] {
        guard let interval = settings.ownClientsInterval else { return [] }
        return [("statistics.interval.ms", String(Int(interval.seconds * 1000)))]
    }

    package func makeSource(_ settings: ClientStatsSettings, in context: SourceContext) throws -> ClientStatsSource? {
        try ClientStatsSource(settings: settings, context: context)
    }
}
