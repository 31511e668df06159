import ArgumentParser
import ClientStats
import Collectors
import Foundation
import HTTP
import Kafka

/// The exporter's flags. Names and defaults follow kafka_exporter where it has the same flag.
public struct ExporterOptions: ParsableArguments {
    @Option(name: .customLong("kafka.server"), help: "Kafka broker address host:port (repeatable, or comma-separated).")
    var servers: [String] = ["localhost:9092"]

    @Option(name: .customLong("kafka.labels"), help: "Constant labels added to every sample: name=value,name=value.")
    var labels: String = ""

    @Option(name: .customLong("kafka.config-file"), help: "librdkafka properties file (key=value lines), applied before -X.")
    var configFile: String?

    @Option(name: .customShort("X"), help: ArgumentHelp("librdkafka property key=value (repeatable), like kcat's -X.", valueName: "key=value"))
    var properties: [String] = []

    @Flag(name: .customLong("sasl.enabled"), help: "Connect using SASL.")
    var saslEnabled = false

    @Option(name: .customLong("sasl.mechanism"), help: "SASL mechanism: plain, scram-sha256, scram-sha512, gssapi or oauthbearer.")
    var saslMechanism: String = "plain"

    @Option(name: .customLong("sasl.username"), help: "SASL user name.")
    var saslUsername: String?

    @Option(name: .customLong("sasl.password"), help: "SASL password (or set SASL_USER_PASSWORD in the environment).")
    var saslPassword: String?

    @Flag(name: .customLong("tls.enabled"), help: "Connect using TLS.")
    var tlsEnabled = false

    @Option(name: .customLong("tls.ca-file"), help: "CA certificate file for verifying the brokers.")
    var tlsCAFile: String?

    @Option(name: .customLong("tls.cert-file"), help: "Client certificate file.")
    var tlsCertFile: String?

    @Option(name: .customLong("tls.key-file"), help: "Client private key file.")
    var tlsKeyFile: String?

    @Flag(name: .customLong("tls.insecure-skip-tls-verify"), help: "Do not verify the brokers' certificates.")
    var tlsInsecure = false

    @Option(name: .customLong("topic.filter"), help: "Regex: only topics whose names match are collected.")
    var topicFilter: String = ".*"

    @Option(name: .customLong("topic.exclude"), help: "Regex: topics whose names match are not collected.")
    var topicExclude: String = "^$"

    @Flag(name: .customLong("topic.include-internal"), help: "Also collect internal topics (names starting with __).")
    var includeInternalTopics = false

    @Option(name: .customLong("group.filter"), help: "Regex: only consumer groups whose names match are collected.")
    var groupFilter: String = ".*"

    @Option(name: .customLong("group.exclude"), help: "Regex: consumer groups whose names match are not collected.")
    var groupExclude: String = "^$"

    @Option(
        name: .customLong("group.static"),
        help: ArgumentHelp(
            "Consumer group to collect even where the broker does not list groups (repeatable); with topics, only their offsets are read. Not subject to the group filters.",
            valueName: "group[:topic,topic...]"))
    var staticGroups: [String] = []

    @Option(name: .customLong("group.status-window"), help: "How long a consumer-group problem must last before the group's status reports it.")
    var groupStatusWindow: String = "2m"

    @Flag(name: .customLong("group.discovery"), inversion: .prefixedNo, help: "Discover consumer groups with ListConsumerGroups.")
    var discoverGroups = true

    @Option(
        name: .customLong("pipeline"),
        help: ArgumentHelp(
            "A pipeline stage: the consumer group STAGE reads the input topics and writes the output topics (repeatable).",
            valueName: "stage: in,in -> out,out"))
    var pipelines: [String] = []

    @Option(name: .customLong("pipeline.file"), help: "File with one --pipeline declaration per line (# comments).")
    var pipelineFile: String?

    @Option(name: .customLong("pipeline.window"), help: "Window of the pipeline rates and amplification ratio.")
    var pipelineWindow: String = "5m"

    @Option(name: .customLong("duplicates.topic"), help: "Regex: read these topics and count records whose key and value repeat (off when unset).")
    var duplicatesTopic: String?

    @Option(name: .customLong("duplicates.window"), help: "How long a record's content is remembered for duplicate detection.")
    var duplicatesWindow: String = "10m"

    @Option(name: .customLong("duplicates.sample"), help: "Examine one record in this many (consistent hash sampling).")
    var duplicatesSample: UInt64 = 8

    @Option(name: .customLong("duplicates.max-entries"), help: "Content hashes kept per topic at most; beyond, the sampling factor doubles.")
    var duplicatesMaxEntries: Int = 200_000

    @Option(name: .customLong("stats.interval"), help: "Statistics interval of the exporter's own librdkafka clients (0 turns them off).")
    var statsInterval: String = "30s"

    @Option(name: .customLong("stats.token-file"), help: "File holding the bearer token POST /api/v1/stats requires (none when unset).")
    var statsTokenFile: String?

    @Option(name: .customLong("stats.topic"), help: "Kafka topic of librdkafka statistics documents to read (never committed).")
    var statsTopic: String?

    @Option(name: .customLong("stats.expiry"), help: "Forget a client after this long without statistics (default: 5 × its own interval).")
    var statsExpiry: String?

    @Option(name: .customLong("stats.max-bytes"), help: "Largest statistics document accepted by POST /api/v1/stats (413 beyond).")
    var statsMaxBytes: Int = StatsRoute.defaultMaxBodyBytes

    @Option(name: .customLong("collect.interval"), help: "Time between collection cycles.")
    var collectInterval: String = "15s"

    @Option(name: .customLong("collect.timeout"), help: "Deadline of each Kafka request in a cycle.")
    var collectTimeout: String = "10s"

    @Option(name: .customLong("collect.max-inflight"), help: "Consumer-group offset requests in flight at once.")
    var maxInFlight: Int = 16

    @Option(name: .customLong("web.listen-address"), help: "Address to listen on for HTTP: [host]:port.")
    var listenAddress: String = ":9308"

    @Option(name: .customLong("web.telemetry-path"), help: "Path under which to expose metrics.")
    var telemetryPath: String = "/metrics"

    @Option(name: .customLong("web.max-connections"), help: "Simultaneous HTTP connections at most.")
    var maxConnections: UInt32 = 256

    @Option(name: .customLong("log.level"), help: "Log level: trace, debug, info, warning, error.")
    var logLevel: String = "info"

    @Option(name: .customLong("log.format"), help: "Log format: logfmt or json.")
    var logFormat: String = "logfmt"

    public init() {}

    public mutating func validate() throws {
        _ = try makeConfiguration()
        _ = try makeLogSettings()
    }

    public func makeLogSettings() throws(ConfigurationError) -> LogSettings {
        try LogSettings(level: logLevel, format: logFormat)
    }

    /// Builds and validates the configuration; every problem is one line naming the flag.
    public func makeConfiguration(environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigurationError) -> ExporterConfiguration {
        let kafka = try kafkaConfiguration(environment: environment)
        do {
            try kafka.validate()
        } catch {
            throw ConfigurationError(error.description)
        }
        var collection = CollectionSettings()
        do {
            collection.topicFilter = try NameFilter(include: topicFilter, exclude: topicExclude)
            collection.groupFilter = try NameFilter(include: groupFilter, exclude: groupExclude)
        } catch {
            throw ConfigurationError("--topic/--group filter: \(error)")
        }
        collection.includeInternalTopics = includeInternalTopics
        collection.discoverGroups = discoverGroups
        do {
            collection.staticGroups = try staticGroups.map(StaticGroup.init(parsing:))
        } catch {
            throw ConfigurationError(error.description)
        }
        collection.requestTimeout = try duration(collectTimeout, flag: "--collect.timeout")
        guard maxInFlight >= 1 else { throw ConfigurationError("--collect.max-inflight must be at least 1") }
        collection.maxGroupRequestsInFlight = maxInFlight

        let address: ListenAddress
        do {
            address = try ListenAddress(parsing: listenAddress)
        } catch {
            throw ConfigurationError("--web.listen-address: \(error)")
        }
        guard telemetryPath.hasPrefix("/"), !["/", "/healthz", "/ready"].contains(telemetryPath) else {
            throw ConfigurationError("--web.telemetry-path \"\(telemetryPath)\" must start with / and not be /, /healthz or /ready")
        }
        guard maxConnections >= 1 else { throw ConfigurationError("--web.max-connections must be at least 1") }
        let interval = try duration(collectInterval, flag: "--collect.interval")
        guard interval >= .milliseconds(100) else { throw ConfigurationError("--collect.interval must be at least 100ms") }
        var configuration = ExporterConfiguration(
            kafka: kafka, collection: collection, collectInterval: interval, listenAddress: address,
            telemetryPath: telemetryPath, maxConnections: maxConnections, constantLabels: try constantLabels())
        configuration.duplicates = try duplicateSettings()
        configuration.statistics = try statisticsSettings()
        configuration.insights.statusWindow = try duration(groupStatusWindow, flag: "--group.status-window")
        configuration.pipelines = try pipelineStages()
        configuration.pipelineWindow = try duration(pipelineWindow, flag: "--pipeline.window")
        // A stage's group must be collected even where groups cannot be listed.
        for stage in configuration.pipelines where !configuration.collection.staticGroups.contains(where: { $0.id == stage.group }) {
            configuration.collection.staticGroups.append(StaticGroup(id: stage.group, topics: stage.inputs))
        }
        return configuration
    }

    func duration(_ text: String, flag: String) throws(ConfigurationError) -> Duration {
        do {
            let value = try DurationParsing.parse(text)
            guard value > .zero else { throw ConfigurationError("\(flag) must be positive") }
            return value
        } catch let error as DurationParsing.InvalidDuration {
            throw ConfigurationError("\(flag): \(error)")
        } catch {
            throw error as! ConfigurationError
        }
    }

    private func constantLabels() throws(ConfigurationError) -> [ExporterConfiguration.Label] {
        let pairs = labels.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return try pairs.map { (pair: String) throws(ConfigurationError) -> ExporterConfiguration.Label in
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, parts[0].range(of: "^[a-zA-Z_][a-zA-Z0-9_]*$", options: .regularExpression) != nil,
                  !parts[0].hasPrefix("__")
            else {
                throw ConfigurationError("--kafka.labels: \"\(pair)\" is not name=value with a valid Prometheus label name")
            }
            return ExporterConfiguration.Label(name: parts[0], value: parts[1])
        }
    }
}
