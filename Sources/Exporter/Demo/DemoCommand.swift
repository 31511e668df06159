import ArgumentParser
import Cluster
import Demo
import Dispatch
import Glibc
import HTTP
import Kafka
import Logging
import Support

/// `kafka-exporter demo`: the exporter on an embedded mock cluster running the incident's pipeline.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the exporter against an embedded 3-broker mock cluster with a live pipeline.",
        discussion: """
            Starts librdkafka's in-process mock cluster and the pipeline telegraf → _rawdata → router → \
            _policy | _flow → policy-store, flow-store, then serves its metrics. --kafka.server, \
            --group.static and the SASL/TLS flags are ignored: the demo connects to its own cluster.
            """)

    private static let defaults = DemoPipeline.Settings()

    @OptionGroup var options: ExporterOptions

    @Option(name: .customLong("demo.rate"), help: "Messages per minute the demo producer writes into _rawdata.") var rate: Double = defaults.messagesPerMinute

    @Option(name: .customLong("demo.partitions"), help: "Partitions of each demo topic.") var partitions: Int = defaults.partitions

    @Option(name: .customLong("demo.stats-interval"), help: "How often the demo's clients report their librdkafka statistics.")
    var statisticsInterval: String = DurationParsing.format(defaults.statisticsInterval)

    @Flag(name: .customLong("inject-retry-bug"), help: "Reproduce the incident: the router produces every record twice after one Queue full.") var injectRetryBug = false

    @Option(
        name: .customLong("inject-retry-bug-after"), parsing: .unconditional,
        help: "With --inject-retry-bug, wait this long first (e.g. 2m). The bug can also be switched on with POST /demo/inject-retry-bug.")
    var injectRetryBugAfter: String = "0s"

    mutating func validate() throws {
        guard rate > 0, rate <= 600_000 else { throw ValidationError("--demo.rate must be between 0 and 600000 messages per minute") }
        guard (1...1000).contains(partitions) else { throw ValidationError("--demo.partitions must be between 1 and 1000") }
        _ = try retryBugDelay()
        _ = try FlagValue.positiveDuration(statisticsInterval, flag: "--demo.stats-interval")
    }

    private func retryBugDelay() throws(ConfigurationError) -> Duration {
        try FlagValue.duration(injectRetryBugAfter, flag: "--inject-retry-bug-after")
    }

    func run() throws {
        let logger = try options.makeLogSettings().makeLogger()
        var settings = DemoPipeline.Settings()
        settings.messagesPerMinute = rate
        settings.partitions = partitions
        settings.statisticsInterval = try FlagValue.positiveDuration(statisticsInterval, flag: "--demo.stats-interval")
        // The demo's clients report their librdkafka statistics like any application's stats_cb would.
        let statistics = StatisticsRelay()
        let pipeline = try DemoPipeline(settings: settings, logger: logger, statistics: statistics.forward)
        var options = options
        if options.sources.pipelines.declarations.isEmpty {
            options.sources.pipelines.declarations = ["router: \(DemoPipeline.rawTopic) -> \(DemoPipeline.policyTopic),\(DemoPipeline.flowTopic)"]
        }
        if options.sources.duplicates.topic == nil {
            options.sources.duplicates.topic = "^_(policy|flow)$"
        }
        // The mock cluster has no controller: DescribeConfigs would only time out.
        options.sources.topicDetail.configInterval = "0s"
        // The demo shows everything the exporter can: the end-to-end probe too.
        options.sources.probe.enabled = true
        try pipeline.createProbeTopic(options.sources.probe.topic)
        var configuration = try options.makeConfiguration()
        configuration.kafka = ClientConfiguration([("bootstrap.servers", pipeline.bootstrapServers)])
        configuration.collection.staticGroups = DemoPipeline.groups.map { StaticGroup(id: $0.0, topics: [$0.1]) }
        // The mock cluster can neither list nor describe groups; asking would only cost timeouts.
        configuration.collection.discoverGroups = false
        configuration.collection.describeGroups = false
        let delay = try retryBugDelay()
        if injectRetryBug && delay == .zero {
            // Before the pipeline starts: the burst is waiting when the router first reads, so its
            // queue fills within its first records and every record after them is doubled.
            logger.warning("demo: retry bug injected into the router")
            pipeline.retryBug.inject()
        }
        pipeline.start()
        defer { pipeline.stop() }
        if injectRetryBug && delay > .zero {
            let bug = pipeline.retryBug
            DispatchQueue.global().asyncAfter(deadline: .now() + delay.seconds) {
                logger.warning("demo: retry bug injected into the router")
                bug.inject()
            }
        }
        var run = ExporterRun(configuration: configuration, logger: logger)
        run.extraRoutes = [Self.injectRoute(pipeline.retryBug, logger: logger), Self.burstRoute(pipeline.retryBug, logger: logger)]
        run.onStarted = { exporter in
            statistics.connect(exporter.statisticsHandler)
            let banner = Self.banner(bootstrap: pipeline.bootstrapServers, port: exporter.port, configuration: configuration, rate: rate)
            SystemFile.write(banner + "\n", to: STDOUT_FILENO)
        }
        try run.runUntilTerminated()
    }

    /// Demo-only: `curl -X POST localhost:9308/demo/inject-retry-bug` switches the bug on.
    private static func injectRoute(_ bug: RetryBug, logger: Logger) -> Route {
        Route(.exact("/demo/inject-retry-bug"), methods: ["POST"]) { _ in
            logger.warning("demo: retry bug injected into the router")
            bug.inject()
            return .text(200, "retry bug injected: the router now produces every record twice\n")
        }
    }

    /// Demo-only: `curl -X POST localhost:9308/demo/burst` sends the producer burst without the bug.
    private static func burstRoute(_ bug: RetryBug, logger: Logger) -> Route {
        Route(.exact("/demo/burst"), methods: ["POST"]) { _ in
            logger.info("demo: producer burst requested")
            bug.requestBurst()
            return .text(200, "burst requested: the router's queue fills and it retries\n")
        }
    }

    private static func banner(bootstrap: String, port: UInt16, configuration: ExporterConfiguration, rate: Double) -> String {
        let host = configuration.listenAddress.host.map { $0.contains(":") ? "[\($0)]" : $0 } ?? "localhost"
        let base = "http://\(host):\(port)"
        let perMinute = rate == rate.rounded() ? String(Int(rate)) : String(rate)
        return """
            kafka-exporter demo: mock cluster with 3 brokers at \(bootstrap)
              pipeline: telegraf → _rawdata (\(perMinute) msg/min) → router → _policy | _flow → policy-store, flow-store
              metrics:  curl \(base)\(configuration.telemetryPath)
              try:      curl -s \(base)\(configuration.telemetryPath) | grep -E 'kafka_topic_partition_current_offset|kafka_consumergroup_lag_sum'
              overview: \(base)/
              incident: curl -X POST \(base)/demo/inject-retry-bug   (or start with --inject-retry-bug)
            First numbers appear after the first collection cycle (every \(configuration.collection.interval)). Ctrl-C stops everything.
            """
    }
}
