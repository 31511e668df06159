import Cluster
import Foundation
import Kafka
import Logging
import Support

/// One collection cycle on the mock cluster: wall time and the Kafka requests it sends, read from the
/// exporter's own librdkafka statistics (`tx`: requests sent), for 1k and 10k partitions.
enum CollectionBenchmark {
    static func run(groups: Int = 200) throws {
        print("\n## One collection cycle, mock cluster with 3 brokers and \(groups) static groups")
        print("partitions   cycle time (fastest of 5)   requests per cycle")
        for topics in [10, 100] {
            let (time, requests) = try measure(topics: topics, partitionsPerTopic: 100, groups: groups)
            print(String(format: "%10d   %25@   %18d", topics * 100, time.formatted, requests))
        }
        print("(goal: ≤ 1 s at 10k partitions; requests: 1 metadata, 2 per batch of ≤ 100 partitions of a leader, 2 per group)")
    }

    private static func measure(topics: Int, partitionsPerTopic: Int, groups: Int) throws -> (Duration, Int) {
        let cluster = try MockCluster(brokers: 3)
        for topic in 0..<topics {
            try cluster.createTopic("topic-\(topic)", partitions: partitionsPerTopic, replicationFactor: 3)
        }
        for group in 0..<groups {
            let topic = "topic-\(group % topics)"
            let committer = try Consumer(configuration: ClientConfiguration([("bootstrap.servers", cluster.bootstrapServers), ("group.id", "group-\(group)")]))
            try committer.commit(Dictionary(uniqueKeysWithValues: (0..<partitionsPerTopic).map { (TopicPartition(topic, Int32($0)), Int64(0)) }))
            committer.close()
        }

        let requests = RequestCounter()
        let factory = KafkaClientFactory(
            base: ClientConfiguration([("bootstrap.servers", cluster.bootstrapServers), ("statistics.interval.ms", "100")]),
            logger: Logger(label: "bench"), statistics: requests.record)
        var settings = CollectionSettings()
        settings.discoverGroups = false  // the mock cluster has neither ListGroups nor DescribeGroups
        settings.describeGroups = false
        settings.staticGroups = (0..<groups).map { StaticGroup(id: "group-\($0)", topics: ["topic-\($0 % topics)"]) }
        let collector = ClusterCollector(settings: settings, clients: try ClusterCollector.Clients(factory), logger: Logger(label: "bench"))

        var fastest = Duration.seconds(3600)
        var requestsPerCycle = Int.max
        for _ in 0..<5 {
            let before = requests.settled()
            let start = ContinuousClock.now
            let cycle = collector.collect()
            fastest = min(fastest, .now - start)
            precondition(cycle.succeeded && cycle.state?.groups.count == groups, "cycle failed: \(String(describing: cycle.failure))")
            requestsPerCycle = min(requestsPerCycle, requests.settled() - before)
        }
        collector.close()
        return (fastest, requestsPerCycle)
    }
}

/// Sums the latest `tx` (requests sent) of every client's statistics.
final class RequestCounter: Sendable {
    private let latest = Locked<[String: Int]>([:])

    @Sendable func record(client: String, json: [UInt8]) {
        guard let document = try? JSONSerialization.jsonObject(with: Data(json)) as? [String: Any],
              let sent = document["tx"] as? Int else { return }
        latest.withLock { $0[client] = sent }
    }

    /// The total once two statistics intervals have passed, so that every client has reported.
    func settled() -> Int {
        Thread.sleep(forTimeInterval: 0.25)
        return latest.withLock { $0.values.reduce(0, +) }
    }
}
