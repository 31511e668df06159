import Foundation
import Kafka
import Testing
import TestSupport

/// The charts that deploy kafka_exporter pass its flags; swapping the image must not crash-loop. Each
/// argument list in Tests/Fixtures/kafka_exporter-charts (see its README) starts the real binary
/// against the mock cluster, which must then serve /metrics and name the flags it ignores in one line.
@Suite struct KafkaExporterChartTests {
    struct Chart: Sendable, CustomTestStringConvertible {
        let file: String
        /// True when the chart asks for SASL or TLS, which the plaintext mock cluster cannot speak.
        let secured: Bool
        let ignored: [String]
        var testDescription: String { file }
    }

    @Test(arguments: [
        Chart(file: "danielqsj-defaults.args", secured: false, ignored: []),
        Chart(file: "danielqsj-sasl-tls.args", secured: true, ignored: ["--sasl.handshake=false", "--log.enable-sarama"]),
        Chart(file: "prometheus-community-defaults.args", secured: false, ignored: []),
        Chart(
            file: "prometheus-community-scram.args", secured: true,
            ignored: ["--log.enable-sarama", "--tls.server-name=kafka.example.com", "--offset.show-all=false", "--topic.workers=20"]),
        Chart(file: "prometheus-community-kerberos.args", secured: true, ignored: []),
    ])
    func theChartsArgumentsStartAnExporterThatServesMetrics(chart: Chart) throws {
        let cluster = try MockCluster(brokers: 3)
        let lines = try String(contentsOf: Repository.fixture("kafka_exporter-charts", chart.file), encoding: .utf8)
        let arguments = lines.split(separator: "\n").map { $0.replacingOccurrences(of: "{{bootstrap}}", with: cluster.bootstrapServers) }
        // The one addition: a random loopback port instead of the chart's :9308.
        let exporter = try ExporterProcess(arguments + ["--web.listen-address=127.0.0.1:0"])
        let port = try exporter.waitUntilStarted()

        let deadline = ContinuousClock.now + .seconds(20)
        var samples = ExpositionSamples("")
        repeat {
            let response = try HTTPTestClient.get(port: port, "/metrics")
            #expect(response.status == 200)
            samples = ExpositionSamples(response.text)
            if chart.secured ? samples.value("kafka_exporter_up") != nil : samples.value("kafka_brokers") == 3 { break }
            Thread.sleep(forTimeInterval: 0.1)
        } while ContinuousClock.now < deadline
        if chart.secured {
            #expect(samples.value("kafka_exporter_up") == 0, "a plaintext mock cannot be read over SASL or TLS")
        } else {
            #expect(samples.value("kafka_brokers") == 3)
            #expect(samples.value("kafka_exporter_up") == 1)
        }
        #expect((samples.value("process_resident_memory_bytes") ?? 0) > 0, "\(exporter.standardError)")

        let warnings = exporter.standardError.split(separator: "\n").filter { $0.contains("flags without an equivalent") }
        if chart.ignored.isEmpty {
            #expect(warnings.isEmpty, "\(warnings)")
        } else {
            #expect(warnings.count == 1, "\(warnings)")
            let named = warnings.first?.firstMatch(of: /flags="([^"]*)"/).map { Set(String($0.1).split(separator: " ").map(String.init)) }
            #expect(named == Set(chart.ignored))
        }
        exporter.signal(SIGTERM)
        #expect(exporter.waitForExit(timeout: .seconds(10)) == 0, "\(exporter.standardError)")
    }

    /// kafka_exporter_build_info carries the revision `make` builds (KAFKA_EXPORTER_REVISION, else
    /// "unknown") and the Swift version `swift --version` reports.
    @Test func buildInfoNamesRevisionAndSwiftVersion() throws {
        let exporter = try ExporterProcess(["--kafka.server=127.0.0.1:1", "--web.listen-address=127.0.0.1:0"])
        let port = try exporter.waitUntilStarted()
        let buildInfo = ExpositionSamples(try HTTPTestClient.get(port: port, "/metrics").text).series("kafka_exporter_build_info")
        try #require(buildInfo.count == 1)
        let expectedRevision = ProcessInfo.processInfo.environment["KAFKA_EXPORTER_REVISION"].flatMap { $0.isEmpty ? nil : $0 } ?? "unknown"
        #expect(buildInfo[0].labels["revision"] == expectedRevision)
        let result = try Subprocess.run(["swift", "--version"])
        let swift = result.standardOutput + result.standardError
        let version = try #require(swift.firstMatch(of: /Swift version (\d+\.\d+)/).map { String($0.1) })
        #expect(buildInfo[0].labels["swiftversion"] == version)
        #expect(buildInfo[0].labels["version"]?.isEmpty == false)
        #expect(buildInfo[0].labels["librdkafka_version"] == "2.0.2")
        exporter.signal(SIGTERM)
        _ = exporter.waitForExit(timeout: .seconds(10))
    }
}
