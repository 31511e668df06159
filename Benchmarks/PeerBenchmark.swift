import Foundation
import Kafka
import Support

/// Side by side with danielqsj/kafka_exporter v1.7.0 on the same mock cluster (the peer kit in
/// ../shared/peers/kafka_exporter builds both it and the request-counting `mockkafka` launcher):
/// Kafka requests, CPU, scrape time, peak memory and series, per kafka_exporter scrape and per cycle of
/// ours, and the ratios. Then our own runs at 100k partitions and with 2,000 consumer groups.
///
/// `make bench ARGS="peer /path/to/kafka_exporter"` (or KAFKA_EXPORTER_PEER=...); `mockkafka` is
/// looked for next to it (or MOCKKAFKA=...). Ours is `kafka-exporter` next to this benchmark.
enum PeerBenchmark {
    struct Run {
        var requests = 0.0, cpuSeconds = 0.0, wallSeconds = 0.0, scrapeP50 = 0.0, scrapeP99 = 0.0, peakMB = 0.0
        var series = 0
        /// Where the resident memory is at the end, and the threads then (`WatchedProcess.residentByMapping`).
        var residentByMapping: [(name: String, megabytes: Double)] = []
        var threads = 0
    }

    static func run(arguments: [String]) throws {
        print("\n## Side by side with kafka_exporter v1.7.0 on the same mock cluster (3 brokers, 10 partitions per topic)")
        let given = arguments.first ?? ProcessInfo.processInfo.environment["KAFKA_EXPORTER_PEER"] ?? ""
        let peer = given.isEmpty ? "" : URL(fileURLWithPath: given).standardizedFileURL.path
        let launcher = ProcessInfo.processInfo.environment["MOCKKAFKA"]
            ?? URL(fileURLWithPath: peer).deletingLastPathComponent().appendingPathComponent("mockkafka").path
        let ours = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("kafka-exporter").path
        let files = FileManager.default
        guard !peer.isEmpty, files.isExecutableFile(atPath: peer), files.isExecutableFile(atPath: launcher), files.isExecutableFile(atPath: ours) else {
            print("peer: skipped — needs kafka_exporter and mockkafka (../shared/peers/kafka_exporter/build.sh OUT; make bench ARGS=\"peer OUT/kafka_exporter\") and a release kafka-exporter")
            return
        }

        var oursBySize: [(Int, Run)] = []
        var smallest: (ours: Run, peer: Run)?
        print("partitions  exporter          Kafka req  CPU s    scrape p50/p99 s   peak RSS MB  series")
        for partitions in [1_000, 10_000, 50_000] {
            let cluster = try CountingMockCluster(launcher: launcher, partitions: partitions)
            defer { cluster.stop() }
            let mine = try measureOurs(ours, cluster, interval: partitions >= 50_000 ? 10 : 5)
            let theirs = try measurePeer(peer, cluster, scrapes: 3)
            oursBySize.append((partitions, mine))
            smallest = smallest ?? (mine, theirs)
            printRow(partitions, "ours, per cycle", mine)
            printRow(partitions, "peer, per scrape", theirs)
            print(String(
                format: "%10d  peer/ours:        %7.0f×  %6.1f×  %8.1f× / %6.1f×   ours/peer: %.2f×   %.2f×",
                partitions, theirs.requests / max(mine.requests, 1), theirs.cpuSeconds / max(mine.cpuSeconds, 1e-6),
                theirs.scrapeP50 / max(mine.scrapeP50, 1e-6), theirs.scrapeP99 / max(mine.scrapeP99, 1e-6),
                mine.peakMB / max(theirs.peakMB, 1e-6), Double(mine.series) / Double(max(theirs.series, 1))))
        }
        print("targets at 10k: peer CPU per scrape / ours per cycle ≥ 20×; ours/peer peak RSS ≤ 0.75×")
        if let smallest {
            print("\nResident MB by mapping at \(oursBySize[0].0) partitions, at the end (/proc/PID/smaps)")
            printMappings("ours", smallest.ours)
            printMappings("peer", smallest.peer)
        }

        print("\n## Ours alone: 100k partitions, and 2,000 consumer groups (static, on 10k partitions)")
        print("partitions  groups  Kafka req  CPU s    cycle wall s  scrape p50/p99 s   peak RSS MB  series")
        let large = try CountingMockCluster(launcher: launcher, partitions: 100_000)
        let hundredThousand = try measureOurs(ours, large, interval: 15)
        large.stop()
        oursBySize.append((100_000, hundredThousand))
        printOwnRow(100_000, 0, hundredThousand)
        let withGroups = try CountingMockCluster(launcher: launcher, partitions: 10_000)
        let groups = try commitGroups(2_000, topics: 1_000, bootstrap: withGroups.bootstrap)
        printOwnRow(10_000, 2_000, try measureOurs(ours, withGroups, interval: 10, extra: groups))
        withGroups.stop()
        print("targets at 100k: cycle wall ≤ 3 s, peak RSS ≤ 256 MB")

        print("\nScaling of our CPU per cycle (target: doubling partitions at most doubles it)")
        print("partitions  CPU s per cycle  ×partitions  ×CPU   CPU growth / partition growth")
        for (index, (partitions, run)) in oursBySize.enumerated() {
            guard index > 0 else {
                print(String(format: "%10d  %15.3f", partitions, run.cpuSeconds))
                continue
            }
            let (previous, before) = oursBySize[index - 1]
            let growth = Double(partitions) / Double(previous), cpu = run.cpuSeconds / before.cpuSeconds
            print(String(format: "%10d  %15.3f  %10.1f×  %5.2f×  %.2f", partitions, run.cpuSeconds, growth, cpu, cpu / growth))
        }
    }

    /// Our exporter over `cycles` collection cycles after the first: process CPU and Kafka requests per
    /// cycle (idle housekeeping between cycles included), the wall time of the last cycle, then scrapes.
    private static func measureOurs(
        _ binary: String, _ cluster: CountingMockCluster, interval: Int, cycles: Int = 3, extra: [String] = []
    ) throws -> Run {
        let port = freePort()
        let exporter = try WatchedProcess([
            binary, "--kafka.server=\(cluster.bootstrap)", "--collect.interval=\(interval)s",
            "--web.listen-address=127.0.0.1:\(port)",
        ] + extra)
        defer { exporter.stop() }
        func cyclesDone() -> Double { (try? Scrape.fetch(port: port).value("kafka_exporter_collect_cycles_total")) ?? 0 }
        func waitForCycles(_ count: Double) throws {
            let deadline = ContinuousClock.now + .seconds(600)
            while cyclesDone() < count {
                guard ContinuousClock.now < deadline else { throw BenchmarkFailure("ours did not finish \(Int(count)) cycles") }
                Thread.sleep(forTimeInterval: 0.1)
            }
        }
        // The first cycle ends, the next begins: measure from the end of the second.
        try waitForCycles(2)
        let (cpu, requests) = (exporter.cpuSeconds, cluster.requests())
        Thread.sleep(forTimeInterval: Double(cycles * interval) - 1)
        try waitForCycles(Double(2 + cycles))
        var run = Run()
        run.cpuSeconds = (exporter.cpuSeconds - cpu) / Double(cycles)
        run.requests = Double(cluster.requests() - requests) / Double(cycles)
        let scrapes = try (0..<20).map { _ in try Scrape.fetch(port: port) }
        run.wallSeconds = scrapes[0].value("kafka_exporter_collect_duration_seconds") ?? 0
        run.series = scrapes[0].series
        let times = scrapes.map(\.seconds).sorted()
        (run.scrapeP50, run.scrapeP99) = (times[times.count / 2], times[times.count - 1])
        run.peakMB = exporter.peakResidentMB
        (run.residentByMapping, run.threads) = exporter.residentByMapping
        return run
    }

    /// kafka_exporter reads the cluster on each scrape: CPU, wall time and Kafka requests per scrape.
    private static func measurePeer(_ binary: String, _ cluster: CountingMockCluster, scrapes: Int) throws -> Run {
        let port = freePort()
        // It speaks only Metadata v0–v2 to this mock with this version (see the peer kit's README).
        let exporter = try WatchedProcess(
            [binary, "--kafka.version=0.11.0.0", "--web.listen-address=127.0.0.1:\(port)"]
                + cluster.bootstrap.split(separator: ",").map { "--kafka.server=\($0)" })
        defer { exporter.stop() }
        let deadline = ContinuousClock.now + .seconds(120)
        while (try? Scrape.fetch(port: port)) == nil {
            guard ContinuousClock.now < deadline else { throw BenchmarkFailure("kafka_exporter did not start") }
            Thread.sleep(forTimeInterval: 0.2)
        }
        var run = Run()
        var times: [Double] = []
        for _ in 0..<scrapes {
            let (cpu, requests) = (exporter.cpuSeconds, cluster.requests())
            let scrape = try Scrape.fetch(port: port)
            run.cpuSeconds += (exporter.cpuSeconds - cpu) / Double(scrapes)
            run.requests += Double(cluster.requests() - requests) / Double(scrapes)
            run.series = scrape.series
            times.append(scrape.seconds)
        }
        times.sort()
        (run.scrapeP50, run.scrapeP99, run.wallSeconds) = (times[times.count / 2], times[times.count - 1], times[times.count / 2])
        run.peakMB = exporter.peakResidentMB
        (run.residentByMapping, run.threads) = exporter.residentByMapping
        return run
    }

    /// Commits offsets for `count` groups, each on the 10 partitions of one topic, and returns the
    /// `--group.static` flags that make our exporter read them (the mock cannot list groups).
    private static func commitGroups(_ count: Int, topics: Int, bootstrap: String) throws -> [String] {
        let groups = (0..<count).map { (id: "group-\($0)", topic: String(format: "topic-%05d", $0 % topics)) }
        let failures = Locked(0)
        let workers = (0..<8).map { worker in
            Concurrently.start {
                for group in groups.enumerated().filter({ $0.offset % 8 == worker }).map(\.element) {
                    do {
                        let committer = try Consumer(configuration: ClientConfiguration([("bootstrap.servers", bootstrap), ("group.id", group.id)]))
                        try committer.commit(Dictionary(uniqueKeysWithValues: (0..<10).map { (TopicPartition(group.topic, Int32($0)), Int64(1)) }))
                        committer.close()
                    } catch {
                        failures.withLock { $0 += 1 }
                    }
                }
            }
        }
        for worker in workers { worker.wait() }
        guard failures.withLock({ $0 }) == 0 else { throw BenchmarkFailure("\(failures.withLock { $0 }) group commits failed") }
        return groups.map { "--group.static=\($0.id):\($0.topic)" }
    }

    private static func printRow(_ partitions: Int, _ who: String, _ run: Run) {
        print(String(
            format: "%10d  %-16@  %9.0f  %6.3f  %7.3f / %7.3f    %10.1f  %6d",
            partitions, who, run.requests, run.cpuSeconds, run.scrapeP50, run.scrapeP99, run.peakMB, run.series))
    }

    /// The ten largest mappings, the rest summed.
    private static func printMappings(_ who: String, _ run: Run) {
        let shown = run.residentByMapping.prefix(10).map { String(format: "%@ %.1f", $0.name, $0.megabytes) }
        let rest = run.residentByMapping.dropFirst(10).reduce(0) { $0 + $1.megabytes }
        print(String(format: "  %@, %d threads: %@, the rest %.1f", who, run.threads, shown.joined(separator: ", "), rest))
    }

    private static func printOwnRow(_ partitions: Int, _ groups: Int, _ run: Run) {
        print(String(
            format: "%10d  %6d  %9.0f  %6.3f  %12.3f  %7.3f / %7.3f    %10.1f  %6d",
            partitions, groups, run.requests, run.cpuSeconds, run.wallSeconds, run.scrapeP50, run.scrapeP99, run.peakMB, run.series))
    }
}
