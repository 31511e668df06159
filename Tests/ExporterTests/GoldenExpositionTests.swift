import ClientStats
import Cluster
@testable import Exporter
import Exposition
import Foundation
import HTTP
@testable import Kafka
import Logging
import MetricSources
import ProcessMetrics
import Testing
import TestSupport

/// `/metrics` of a scripted run over synthetic cluster states, byte for byte: every family of every
/// source that needs no Kafka connection, after each cycle, in both formats. A change to what a scrape
/// returns shows up here as a diff; regenerate with `GOLDEN_UPDATE=1 swift test --filter Golden` only
/// when the change is intended.
@Suite struct GoldenExpositionTests {
    static let file = Repository.fixture("golden", "metrics-synthetic-cycles.txt")

    @Test func syntheticCyclesRenderExactlyAsRecorded() throws {
        let rendered = try GoldenRun().render()
        if ProcessInfo.processInfo.environment["GOLDEN_UPDATE"] == "1" {
            try rendered.write(to: Self.file, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: Self.file, encoding: .utf8)
        guard rendered != expected else { return }
        let renderedLines = rendered.split(separator: "\n", omittingEmptySubsequences: false)
        let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let firstDifference = zip(renderedLines, expectedLines).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            ?? min(renderedLines.count, expectedLines.count)
        Issue.record("""
            line \(firstDifference + 1) of \(Self.file.lastPathComponent) differs
              got:      \(renderedLines.dropFirst(firstDifference).first ?? "end of output")
              expected: \(expectedLines.dropFirst(firstDifference).first ?? "end of file")
            """)
    }
}

/// The cycles: a pipeline that doubles its output from cycle 4, a group that stops committing, a
/// hostile topic name whose offsets are unknown in cycle 2 and stale in cycle 3, a cycle in which the
/// cluster cannot be read, and two clients' statistics.
private struct GoldenRun {
    static let start = Date(timeIntervalSince1970: 1_700_000_000)
    static let hostileTopic = "we\"ird\\topic\nname"

    /// The sources the exporter makes from these flags, publishing through `SourceSet` as it does.
    func render() throws -> String {
        let registry = Registry(constantLabels: [(name: "env", value: "golden")])
        let options = try ExporterOptions.parse([
            "--kafka.server", "127.0.0.1:1", "--group.status-window", "60s",
            "--pipeline", "router: _rawdata -> _policy,_flow", "--pipeline.window", "60s",
            // Timestamp reads would time out against the closed port after a while: a count that
            // depends on how fast the run is.
            "--lag.timestamp-reads", "0",
        ])
        let logger = Logger(label: "golden") { _ in SwiftLogNoOpLogHandler() }
        let context = SourceContext.unconnected(logger: logger)
        // Versions are pinned so that a release or another librdkafka does not change the file.
        // The process's own CPU time and memory differ every run: ProcessStatusTests check them.
        let sources = try options.makeConfiguration().sources.compactMap { try $0.makeSource(in: context) }.filter { !($0 is ProcessMetricsSource) }.map { source -> any MetricSource in
            source is ExporterHealth ? ExporterHealth(build: .init(version: "golden", revision: "golden", swiftVersion: "golden", librdkafkaVersion: "golden"), http: context.httpStatistics) : source
        }
        let statistics = try #require(sources.lazy.compactMap { $0 as? ClientStatsSource }.first).collector
        for fixture in ["producer-2.0.2.json", "consumer-2.0.2.json", "producer-2.16.0.json"] {
            try statistics.ingest(Array(Data(contentsOf: statisticsFixture(fixture))), from: .http)
        }
        statistics.countRejection(.malformedJSON)
        let set = SourceSet(sources, registry: registry)
        set.start()
        defer { set.stop() }

        var output = ""
        for index in 0..<8 {
            let state: ClusterState? = index == 5 ? nil : Self.state(cycle: index)
            set.publish(after: CollectionCycle(
                state: state, errors: state == nil ? [.metadata: 1] : [:], duration: .milliseconds(20 + index), failure: nil,
                adminHandleReplacements: index / 3))
            let snapshot = registry.snapshot
            let text = snapshot.body(.text, gzip: false).string
            if index == 0 || index == 7 {
                output += "### cycle \(index) text\n" + text
            } else {
                // The client statistics do not change between cycles: the full text is in cycles 0 and 7.
                output += "### cycle \(index) text without kafka_client_\n"
                    + text.split(separator: "\n").filter { !$0.contains("kafka_client_") }.map { $0 + "\n" }.joined()
            }
        }
        output += "### cycle 7 openmetrics\n" + registry.snapshot.body(.openMetrics, gzip: false).string
        return output
    }

    private func statisticsFixture(_ name: String) -> URL {
        Repository.fixture("statistics", name)
    }

    /// Cycle `index`, 15 s apart: 200 records a minute into `_rawdata`, the router commits what it
    /// read (all but the newest two records of each partition) and writes as many records out, twice as many
    /// from cycle 4; `store` stops at cycle 3.
    static func state(cycle index: Int) -> ClusterState {
        let second = Int64(index * 15)
        let consumed = second * 200 / 60
        let doubledFrom = Int64(4 * 15) * 200 / 60
        let produced = consumed <= doubledFrom ? consumed : doubledFrom + 2 * (consumed - doubledFrom)
        let partition = { (id: Int32, leader: Int32, isr: [Int32], oldest: Int64, newest: Int64?) in
            PartitionState(
                info: PartitionInfo(id: id, leader: leader, replicas: [1, 2, 3], inSyncReplicas: isr),
                watermarks: newest.map { Watermarks(oldest: oldest, newest: $0) })
        }
        var hostile = partition(0, 2, [2], 0, index == 2 ? nil : 7)
        hostile.watermarksAreStale = index == 3
        let topics = [
            TopicState(name: "_flow", partitions: [partition(0, 2, [2, 3, 1], 0, produced / 4)]),
            TopicState(name: "_policy", partitions: [partition(0, 1, [1, 2], 0, produced - produced / 4)]),
            TopicState(name: "_rawdata", partitions: [
                partition(0, 1, [1, 2, 3], 0, consumed / 2 + 2), partition(1, 3, [3, 1, 2], 2, consumed - consumed / 2 + 2),
            ]),
            TopicState(name: hostileTopic, partitions: [hostile]),
        ]
        let storeCommit = min(Int64(index), 3) * 10
        let groups = [
            ConsumerGroupState(id: "router", state: .stable, members: [
                GroupMember(consumerID: "router-1", clientID: "router", host: "/10.0.0.1",
                            assignment: [TopicPartition("_rawdata", 0), TopicPartition("_rawdata", 1)]),
            ], committedOffsets: [TopicPartition("_rawdata", 0): consumed / 2, TopicPartition("_rawdata", 1): consumed - consumed / 2]),
            ConsumerGroupState(id: "store \"b\"", state: nil, members: nil, committedOffsets: [TopicPartition("_policy", 0): storeCommit]),
        ]
        return ClusterState(
            collectedAt: start.addingTimeInterval(Double(second)),
            brokers: [Broker(id: 1, host: "kafka-1", port: 9092), Broker(id: 2, host: "kafka-2", port: 9092), Broker(id: 3, host: "kafka-3", port: 9092)],
            topics: topics, groups: groups)
    }
}
