import Cluster
import Foundation
import Kafka
import Logging
import RatesAndLag
import Support

/// What timestamp reads cost on the mock cluster: 10k partitions, 1,000 of them lagging in 100 groups,
/// right after a restart (nothing known) and in the steady state (every position read). Per cycle:
/// the wall time of collection plus lag in seconds, and the process's CPU time from the cycle's start
/// until the reader has finished what the cycle asked (the in-process mock brokers included); reads,
/// record bytes, and bytes received by the reading consumer (its librdkafka statistics, `rx_bytes`).
enum LagTimestampBenchmark {
    private static let topics = 100
    private static let partitionsPerTopic = 100
    private static let groups = 100
    private static let partitionsPerGroup = 10
    private static let recordsPerPartition = 100
    private static let recordBytes = 200
    private static let committed: Int64 = 50

    static func run() throws {
        print("\n## Lag in seconds with timestamp reads, mock cluster with 3 brokers")
        print("\(topics * partitionsPerTopic) partitions, \(groups * partitionsPerGroup) lagging in \(groups) groups, "
            + "\(recordsPerPartition) records of \(recordBytes) B per lagging partition produced at once (one batch)")
        let cluster = try Setup()
        print("reads per cycle   phase                 cycles   reads   record bytes   bytes received   per read    cycle wall (median)   CPU per cycle")
        for budget in [0, 100, 1000] {
            try measure(cluster, budget: budget)
        }
        print("(CPU per cycle: the process from the cycle's start until the reader is done, mock brokers included)")
    }

    /// The cluster, its groups' commits, and a collector reading it.
    private struct Setup {
        let mock: MockCluster
        let statistics = ReceivedBytes()
        let collector: ClusterCollector
        let factory: KafkaClientFactory

        init() throws {
            mock = try MockCluster(brokers: 3)
            for topic in 0..<topics { try mock.createTopic("topic-\(topic)", partitions: partitionsPerTopic, replicationFactor: 3) }
            let base = ClientConfiguration([("bootstrap.servers", mock.bootstrapServers), ("statistics.interval.ms", "\(ReceivedBytes.interval)"), ("log_level", "0")])
            let producer = try Producer(configuration: base)
            let value = [UInt8](repeating: 120, count: recordBytes)
            for partition in Self.lagging {
                for _ in 0..<recordsPerPartition { try producer.produce(topic: partition.topic, partition: partition.partition, value: value) }
            }
            try producer.flush(timeout: .seconds(60))
            producer.close()
            for group in 0..<groups {
                let committer = try Consumer(configuration: ClientConfiguration([("bootstrap.servers", mock.bootstrapServers), ("group.id", "group-\(group)")]))
                try committer.commit(Dictionary(uniqueKeysWithValues: Self.partitions(of: group).map { ($0, committed) }))
                committer.close()
            }
            factory = KafkaClientFactory(base: base, logger: Logger(label: "bench"), statistics: statistics.record)
            var settings = CollectionSettings()
            settings.discoverGroups = false  // the mock cluster has neither ListGroups nor DescribeGroups
            settings.describeGroups = false
            settings.staticGroups = (0..<groups).map { StaticGroup(id: "group-\($0)", topics: [Self.partitions(of: $0)[0].topic]) }
            collector = ClusterCollector(settings: settings, clients: try ClusterCollector.Clients(factory), logger: Logger(label: "bench"))
        }

        /// Group g commits on 10 partitions of topic g / 10; topics 0–9 hold all lagging partitions.
        static func partitions(of group: Int) -> [TopicPartition] {
            (0..<partitionsPerGroup).map { TopicPartition("topic-\(group / 10)", Int32(group % 10 * partitionsPerGroup + $0)) }
        }

        static var lagging: [TopicPartition] { (0..<groups).flatMap(partitions(of:)) }
    }

    private struct Phase {
        var cycles = 0
        var walls: [Duration] = []
        var cpu = 0.0
        var reads = 0
        var recordBytes = 0
        var received = 0
    }

    /// A fresh exporter (new history, new reader): cycles until every lagging partition's lag in seconds
    /// is read (or, without reads, 5 cycles), then 5 cycles of the steady state.
    private static func measure(_ cluster: Setup, budget: Int) throws {
        let reads: LagTimestampReads?
        if budget > 0 {
            var settings = LagTimestampReads.Settings()
            settings.partitionsPerCycle = budget
            let reader = try FirstRecordReader(
                factory: cluster.factory, role: "lag-timestamps-\(budget)", partitionFetchBytes: settings.partitionFetchBytes)
            reads = LagTimestampReads(settings: settings, reader: reader, logger: Logger(label: "bench"))
        } else {
            reads = nil
        }
        reads?.start()
        defer { reads?.stop() }
        let insights = OffsetInsights(timestamps: reads)
        let client = "lag-timestamps-\(budget)"

        var restart = Phase()
        var receivedBefore = cluster.statistics.settled(client)
        var allRead = false
        while !allRead && restart.cycles < (reads == nil ? 5 : 100) {
            cycle(cluster, insights, reads, into: &restart)
            let read = insights.report!.groups.flatMap(\.partitions).filter { $0.lagSecondsWasRead == true }.count
            allRead = read == groups * partitionsPerGroup
        }
        var received = cluster.statistics.settled(client)
        restart.received = received - receivedBefore
        receivedBefore = received
        var steady = Phase()
        for _ in 0..<5 { cycle(cluster, insights, reads, into: &steady) }
        received = cluster.statistics.settled(client)
        steady.received = received - receivedBefore
        print(row(budget == 0 ? "0 (interpolate)" : "\(budget)", "after a restart", restart))
        print(row("", "steady state", steady))
    }

    private static func cycle(_ cluster: Setup, _ insights: OffsetInsights, _ reads: LagTimestampReads?, into phase: inout Phase) {
        let before = reads?.counts
        let cpuStart = Measure.processCPU()
        let start = ContinuousClock.now
        let cycle = cluster.collector.collect()
        guard let state = cycle.state else { preconditionFailure("cycle failed: \(String(describing: cycle.failure))") }
        _ = insights.update(with: state)
        phase.walls.append(.now - start)
        if let reads, let before {
            // The reader takes the wish at once; it is done when no read is pending any more.
            while reads.isBusy { Thread.sleep(forTimeInterval: 0.001) }
            let after = reads.counts
            phase.reads += after.reads - before.reads
            phase.recordBytes += after.bytes - before.bytes
        }
        phase.cpu += Measure.processCPU() - cpuStart
        phase.cycles += 1
    }

    private static func row(_ budget: String, _ name: String, _ phase: Phase) -> String {
        let median = phase.walls.sorted()[phase.walls.count / 2]
        let perRead = phase.reads > 0 ? String(format: "%.1f KiB", Double(phase.received) / Double(phase.reads) / 1024) : "-"
        return budget.padding(toLength: 18, withPad: " ", startingAt: 0) + name.padding(toLength: 22, withPad: " ", startingAt: 0)
            + String(format: "%6d   %5d   %12d   %14d   ", phase.cycles, phase.reads, phase.recordBytes, phase.received)
            + perRead.padding(toLength: 12, withPad: " ", startingAt: 0) + median.formatted.padding(toLength: 22, withPad: " ", startingAt: 0)
            + String(format: "%.1f ms", phase.cpu / Double(phase.cycles))
    }
}

/// The latest `rx_bytes` (bytes received from brokers) of every client's statistics.
private final class ReceivedBytes: Sendable {
    /// `statistics.interval.ms`: rarely enough that building and parsing the documents (every known
    /// partition is in them) stays out of the CPU measured.
    static let interval = 1000

    private let latest = Locked<[String: Int]>([:])

    @Sendable func record(client: String, json: [UInt8]) {
        guard let document = try? JSONSerialization.jsonObject(with: Data(json)) as? [String: Any],
              let name = document["client_id"] as? String, let received = document["rx_bytes"] as? Int else { return }
        latest.withLock { $0[name] = received }
    }

    /// The bytes received by the client whose id ends in `role`, once two statistics intervals have passed.
    func settled(_ role: String) -> Int {
        Thread.sleep(forTimeInterval: 2.5 * Double(Self.interval) / 1000)
        return latest.withLock { latest in latest.first { $0.key.hasSuffix("-" + role) }?.value ?? 0 }
    }
}
