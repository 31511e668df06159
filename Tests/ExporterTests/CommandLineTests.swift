@testable import Exporter
import Foundation
import Support
import Kafka
import Testing
import TestSupport

@Suite struct CommandLineTests {
    /// Each of these must exit with status 2 and one line naming the problem.
    @Test(arguments: [
        (["--no-such-flag"], "--no-such-flag"),
        (["--topic.filter", "([a-z"], "--topic.filter: invalid regular expression \"([a-z\": expected ']'"),
        (["--group.exclude", "*"], "--group.exclude: invalid regular expression \"*\": quantifier"),
        (["--duplicates.topic", "a)"], "--duplicates.topic"),
        (["--collect.interval", "-5s"], "--collect.interval -5s: the duration is negative"),
        (["--collect.timeout=-1m"], "--collect.timeout -1m: the duration is negative"),
        (["--stats.interval", "-30s"], "--stats.interval -30s: the duration is negative"),
        (["--collect.interval", "5"], "--collect.interval: invalid duration \"5\""),
        (["--kafka.labels", "topic=x"], "--kafka.labels: \"topic\" is a label of the exporter's own series"),
        (["--kafka.labels", "env=prod,consumergroup=g"], "\"consumergroup\""),
        (["--kafka.labels", "quantile=q"], "\"quantile\""),
        (["--kafka.labels", "le=1"], "\"le\""),
        (["--kafka.labels", "partition=1"], "\"partition\""),
        (["--kafka.labels", "a=1,a=2"], "--kafka.labels: \"a\" is given twice"),
        (["--kafka.labels", "__name__=x"], "is not a valid Prometheus label name"),
        (["--kafka.labels", "1abc=x"], "is not a valid Prometheus label name"),
        (["--kafka.labels", "cluster"], "--kafka.labels: \"cluster\" is not name=value"),
        (["--sasl.enabled", "--sasl.mechanism=awsiam"], "--sasl.mechanism awsiam"),
        (["--sasl.kerberos-auth-type=password"], "--sasl.kerberos-auth-type"),
        (["--kafka.version=latest"], "--kafka.version \"latest\""),
        (["--verbosity=-1"], "--verbosity"),
        (["--sasl.enabled=maybe"], "'--sasl.enabled' does not take any value, but 'maybe'"),
        (["-X", "no.such.property=1"], "no.such.property"),
        (["-X", "novalue"], "novalue"),
        (["--kafka.config-file", "/nonexistent/client.properties"], "/nonexistent/client.properties"),
        (["--collect.interval", "soon"], "--collect.interval"),
        (["--collect.interval", "10ms"], "--collect.interval"),
        (["--web.listen-address", "9308"], "--web.listen-address"),
        (["--web.telemetry-path", "metrics"], "--web.telemetry-path"),
        (["--kafka.labels", "bad-name=1"], "--kafka.labels"),
        (["--group.static", ":orders"], "--group.static"),
        (["--sasl.enabled", "--sasl.mechanism", "kerberos5"], "--sasl.mechanism"),
        (["--log.level", "loud"], "--log.level"),
        (["--log.format", "xml"], "--log.format"),
        (["demo", "--demo.rate", "-5"], "--demo.rate"),
        (["demo", "--demo.stats-interval", "0s"], "--demo.stats-interval"),
    ])
    func invalidInputExitsWithStatusTwoAndOneLine(arguments: [String], mentions: String) {
        guard case .exit(let status, let standardOutput, let standardError) = ExporterCLI.run(arguments) else { return }
        #expect(status == 2)
        #expect(standardOutput.isEmpty)
        #expect(standardError.split(separator: "\n").count == 1, "\(standardError)")
        #expect(standardError.contains(mentions), "\(standardError)")
    }

    /// The mechanism is refused when the Kafka client is made, after the listening socket is bound:
    /// on a port of its own, so that an exporter already serving :9308 does not turn this into a bind error.
    @Test func secretsNeverAppearInErrors() {
        guard case .exit(let status, _, let standardError) = ExporterCLI.run([
            "--web.listen-address", "127.0.0.1:0",
            "--sasl.enabled", "--sasl.password", "hunter2", "-X", "sasl.password=hunter3", "-X", "sasl.mechanism=NOPE",
        ]) else { return }
        #expect(status == 2)
        #expect(!standardError.contains("hunter"))
    }

    @Test func versionAndHelpExitZero() {
        guard case .exit(let status, let output, _) = ExporterCLI.run(["--version"]) else { return }
        #expect(status == 0)
        #expect(output.contains(Version.current) && output.contains("librdkafka"))
        guard case .exit(let helpStatus, let help, _) = ExporterCLI.run(["--help"]) else { return }
        #expect(helpStatus == 0)
        for flag in ["--kafka.server", "--topic.filter", "--group.static", "--collect.interval", "--web.listen-address",
                     "--web.telemetry-path", "--sasl.mechanism", "--tls.ca-file", "--log.format", "-X", "demo"] {
            #expect(help.contains(flag), "help lacks \(flag)")
        }
    }

    @Test func securityFlagsMapOntoLibrdkafkaProperties() throws {
        let options = try ExporterOptions.parse([
            "--kafka.server", "a:9092,b:9092", "--kafka.server", "c:9092", "--sasl.enabled", "--sasl.mechanism", "scram-sha512",
            "--sasl.username", "alice", "--tls.enabled", "--tls.insecure-skip-tls-verify", "-X", "socket.timeout.ms=5000",
        ])
        let kafka = try options.makeConfiguration(environment: ["SASL_USER_PASSWORD": "from-env"]).kafka
        #expect(kafka.value(for: "bootstrap.servers") == "a:9092,b:9092,c:9092")
        #expect(kafka.value(for: "security.protocol") == "sasl_ssl")
        #expect(kafka.value(for: "sasl.mechanism") == "SCRAM-SHA-512")
        #expect(kafka.value(for: "sasl.username") == "alice")
        #expect(kafka.value(for: "sasl.password") == "from-env")
        #expect(kafka.value(for: "enable.ssl.certificate.verification") == "false")
        #expect(kafka.value(for: "socket.timeout.ms") == "5000")
    }

    @Test func propertiesFileThenDashXOverride() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("kx-\(UUID().uuidString).properties")
        try "# comment\nclient.id = from-file\nsocket.timeout.ms=7000\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let options = try ExporterOptions.parse(["--kafka.config-file", file.path, "-X", "socket.timeout.ms=9000"])
        let kafka = try options.makeConfiguration().kafka
        #expect(kafka.value(for: "client.id") == "from-file")
        #expect(kafka.value(for: "socket.timeout.ms") == "9000")
    }

    @Test func defaultsMatchKafkaExporter() throws {
        let configuration = try ExporterOptions.parse([]).makeConfiguration()
        #expect(configuration.collection.interval == .seconds(15))
        #expect(configuration.listenAddress.port == 9308 && configuration.listenAddress.host == nil)
        #expect(configuration.telemetryPath == "/metrics")
        #expect(configuration.collection.topicFilter.include == ".*")
        #expect(configuration.collection.groupFilter.exclude == "^$")
    }

    @Test(arguments: [("15s", 15_000), ("500ms", 500), ("1m30s", 90_000), ("2h", 7_200_000), ("1.5s", 1500)] as [(String, Int64)])
    func durationsParseLikeGo(text: String, milliseconds: Int64) throws {
        #expect(try DurationParsing.parse(text) == .milliseconds(milliseconds))
    }

    @Test func theRealBinaryExitsTwoOnABadFlag() throws {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("kafka-exporter").path
        try #require(FileManager.default.isExecutableFile(atPath: binary), "build the binary first (`make test` does): \(binary)")
        let result = try Subprocess.run([binary, "--collect.interval", "never"])
        #expect(result.status == 2)
        #expect(result.standardError == "kafka-exporter: --collect.interval: invalid duration \"never\" (use e.g. 500ms, 15s, 1h30m, 1d) (see --help)\n")
    }
}
