import ArgumentParser
import Glibc
import HTTP
import Logging

/// `kafka-exporter [flags]`: collect from a Kafka cluster and serve /metrics.
struct RootCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kafka-exporter",
        abstract: "Prometheus exporter for Apache Kafka: brokers, topics, partitions, consumer-group lag.",
        discussion: """
            Collects cluster state in the background every --collect.interval and serves the latest \
            snapshot on --web.telemetry-path; a scrape never waits for Kafka.
            Exit status: 0 after a clean shutdown (SIGINT/SIGTERM), 1 on a runtime failure, 2 for \
            invalid flags or configuration.
            """,
        version: "kafka-exporter \(Version.current) (librdkafka \(Version.librdkafka))",
        subcommands: [DemoCommand.self, HealthcheckCommand.self])

    @OptionGroup var options: ExporterOptions

    func run() throws {
        let configuration = try options.makeConfiguration()
        let logger = try options.makeLogSettings().makeLogger()
        try ExporterRun(configuration: configuration, logger: logger).runUntilTerminated()
    }
}

/// Starts an exporter, waits for SIGINT or SIGTERM, and stops it.
struct ExporterRun {
    let configuration: ExporterConfiguration
    let logger: Logger
    var extraRoutes: [Route] = []
    var onStarted: (Exporter) -> Void = { _ in }
    /// How long shutdown waits for a collection cycle blocked in a Kafka request.
    static let shutdownGrace = Duration.seconds(2)

    func runUntilTerminated() throws {
        if !configuration.startup.ignoredFlags.isEmpty {
            logger.warning("kafka_exporter flags without an equivalent here are ignored", metadata: ["flags": "\(configuration.startup.ignoredFlags.joined(separator: " "))"])
        }
        for (name, value) in configuration.startup.environment { setenv(name, value, 1) }
        let exporter: Exporter
        do {
            exporter = try Exporter(configuration: configuration, logger: logger, extraRoutes: extraRoutes)
        } catch let error as HTTPServerError {
            throw RuntimeFailure(error.description)
        }
        let signals = TerminationSignals()
        exporter.start()
        onStarted(exporter)
        let signal = signals.wait()
        logger.info("shutting down (a second signal exits at once)", metadata: ["signal": "\(signal)"])
        exporter.stop(waitingAtMost: Self.shutdownGrace)
    }
}

/// A failure after the configuration was accepted (e.g. the port is taken); exit status 1.
struct RuntimeFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
