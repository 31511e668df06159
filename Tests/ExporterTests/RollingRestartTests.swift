import Foundation
import Kafka
import Support
import Testing
import TestSupport

/// The brokers of a 3-broker cluster restart one at a time, one every 1.5 s for a minute, while the
/// exporter (a process of its own, as deployed) collects 60 groups every second and is scraped twice a
/// second: it stays alive and answers every scrape, reports the cluster up while a broker serves,
/// down while none does and up again after, keeps every group's lag, and exits 0 on SIGTERM.
/// `make test-memory` runs it again with the release binary under valgrind memcheck
/// (`KAFKA_EXPORTER_UNDER`), where any memory error makes that exit status non-zero.
@Suite struct RollingRestartTests {
    private static let groups = (0..<60).map { "group-\($0)" }
    private static let topics = ["orders": 12, "payments": 6]
    private static let rollingFor = Duration.seconds(60)
    private static let restartEvery = Duration.milliseconds(1500)

    @Test func theExporterRidesOutRollingBrokerRestarts() throws {
        let cluster = try MockCluster(brokers: 3)
        try Self.populate(cluster)
        let slowdown = ExporterProcess.slowdown
        let exporter = try ExporterProcess([
            "--kafka.server=\(cluster.bootstrapServers)", "--web.listen-address=127.0.0.1:0",
            "--collect.interval=1s", "--collect.timeout=\(3 * slowdown)s",
        ] + Self.groups.map { "--group.static=\($0)" })
        let port = try exporter.waitUntilStarted()
        let scraper = Scraper(port: port)
        scraper.start()
        defer { scraper.stop() }

        try #require(poll(within: .seconds(60 * slowdown)) { scraper.latest.map(Self.isComplete) ?? false },
                     "every group's lag before the restarts: \(exporter.standardError)")
        let rolling = scraper.mark()
        let until = ContinuousClock.now + Self.rollingFor
        var broker = 0
        while ContinuousClock.now < until {
            let id = cluster.brokerIDs[broker % cluster.brokerIDs.count]
            try cluster.setBrokerDown(id)
            Thread.sleep(forTimeInterval: Self.restartEvery.seconds)
            try cluster.setBrokerUp(id)
            broker += 1
        }
        let duringRolling = scraper.since(rolling)
        #expect(duringRolling.count >= 60, "scraped \(duringRolling.count) times in \(Self.rollingFor)")
        #expect(scraper.failures.isEmpty, "every scrape answered: \(scraper.failures.prefix(3)) \(exporter.standardError.suffix(3000))")
        let up = duringRolling.filter { $0.value("kafka_exporter_up") == 1 }.count
        #expect(Double(up) >= 0.9 * Double(duringRolling.count), "up in \(up) of \(duringRolling.count) scrapes with a broker serving: \(exporter.standardError.split(separator: "\n").filter { $0.contains("collection step") }.prefix(6))")

        for id in cluster.brokerIDs { try cluster.setBrokerDown(id) }
        #expect(poll(within: .seconds(30 * slowdown)) { scraper.latest?.value("kafka_exporter_up") == 0 }, "down with no broker serving")
        for id in cluster.brokerIDs { try cluster.setBrokerUp(id) }
        #expect(poll(within: .seconds(60 * slowdown)) { scraper.latest.map(Self.isComplete) ?? false }, "up again with every group")
        #expect(scraper.failures.isEmpty, "\(scraper.failures.prefix(3)) \(exporter.standardError.suffix(3000))")

        scraper.stop()
        exporter.signal(SIGTERM)
        #expect(exporter.waitForExit(timeout: .seconds(20 * slowdown)) == 0, "\(exporter.standardError)")
    }

    /// Up, and every group's lag on every partition of both topics.
    private static func isComplete(_ samples: ExpositionSamples) -> Bool {
        let partitions = topics.values.reduce(0, +)
        return samples.value("kafka_exporter_up") == 1
            && groups.allSatisfy { samples.series("kafka_consumergroup_lag", ["consumergroup": $0]).count == partitions }
    }

    private static func populate(_ cluster: MockCluster) throws {
        let configuration = ClientConfiguration([("bootstrap.servers", cluster.bootstrapServers), ("log_level", "0")])
        let producer = try Producer(configuration: configuration)
        for (topic, partitions) in topics {
            try cluster.createTopic(topic, partitions: partitions, replicationFactor: 3)
            for partition in 0..<Int32(partitions) {
                for _ in 0..<10 { try producer.produce(topic: topic, partition: partition, value: Array("x".utf8)) }
            }
        }
        try producer.flush(timeout: .seconds(10))
        producer.close()
        for (index, group) in groups.enumerated() {
            let committer = try Consumer(configuration: configuration.merging(ClientConfiguration([("group.id", group)])))
            var offsets: [TopicPartition: Int64] = [:]
            for (topic, partitions) in topics {
                for partition in 0..<Int32(partitions) { offsets[TopicPartition(topic, partition)] = Int64(index % 10) }
            }
            try committer.commit(offsets)
            committer.close()
        }
    }
}

/// Scrapes /metrics every half second on a thread of its own, keeping every answer.
private final class Scraper: Sendable {
    private let port: UInt16
    private let answers = Locked<[ExpositionSamples]>([])
    private let failed = Locked<[String]>([])
    private let loop = BackgroundLoop(name: "scraper")

    init(port: UInt16) {
        self.port = port
    }

    func start() {
        loop.start { [self] in
            do {
                let response = try HTTPTestClient.get(port: port, "/metrics")
                if response.status == 200 {
                    answers.withLock { $0.append(ExpositionSamples(response.text)) }
                } else {
                    failed.withLock { $0.append("status \(response.status)") }
                }
            } catch {
                failed.withLock { $0.append("\(error)") }
            }
            return .milliseconds(500)
        }
    }

    func stop() { loop.stop() }

    var latest: ExpositionSamples? { answers.withLock { $0.last } }
    var failures: [String] { failed.withLock { $0 } }

    /// A point to count answers from.
    func mark() -> Int { answers.withLock { $0.count } }
    func since(_ mark: Int) -> [ExpositionSamples] { answers.withLock { Array($0[mark...]) } }
}
