@testable import Exporter
import Foundation
import Kafka
import Logging
import MetricSources
import Testing
import TestSupport

/// A source's flags are validated and its files read once, when the configuration is made: removing
/// the files afterwards changes nothing, and `--stats.interval 0` switches the own clients' statistics off.
@Suite struct SettingsDerivedOnceTests {
    @Test func filesAreReadOnceWhenTheConfigurationIsMade() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kx-once-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let token = directory.appendingPathComponent("token"), pipelines = directory.appendingPathComponent("pipelines")
        try "s3cret\n".write(to: token, atomically: true, encoding: .utf8)
        try "router: in -> out\n".write(to: pipelines, atomically: true, encoding: .utf8)
        let configuration = try ExporterOptions.parse([
            "--kafka.server", "127.0.0.1:1", "--stats.token-file", token.path, "--pipeline.file", pipelines.path,
        ]).makeConfiguration()
        try FileManager.default.removeItem(at: token)
        try FileManager.default.removeItem(at: pipelines)

        #expect(configuration.sources.flatMap(\.staticGroups).map(\.id) == ["router"])
        let logger = Logger(label: "once") { _ in SwiftLogNoOpLogHandler() }
        let made = try configuration.sources.compactMap { try $0.makeSource(in: SourceContext.unconnected(logger: logger)) }
        defer { made.forEach { $0.stop() } }
        #expect(made.map(\.name).contains("pipeline"))
        #expect(made.map(\.name).contains("client_stats"))
    }

    @Test(arguments: [("0", nil), ("0s", nil), ("30s", "30000"), ("1m", "60000")] as [(String, String?)])
    func statsIntervalZeroTurnsTheOwnClientsStatisticsOff(interval: String, property: String?) throws {
        let configuration = try ExporterOptions.parse(["--stats.interval", interval]).makeConfiguration()
        let properties = configuration.sources.flatMap(\.kafkaProperties).filter { $0.key == "statistics.interval.ms" }
        #expect(properties.map(\.value) == (property.map { [$0] } ?? []))
    }
}
