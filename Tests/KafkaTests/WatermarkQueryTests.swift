import Kafka
import TestSupport
import Testing

/// Watermarks read in batches of one leader's partitions (librdkafka 2.0.2's lookups are quadratic in
/// the size of one request list): every partition's exact offsets, and a failing batch costs only its own.
@Suite struct WatermarkQueryTests {
    private static let topics = ["orders", "payments", "refunds"]
    private static let partitionsPerTopic = 30

    /// A cluster of 3 brokers whose partitions hold `records(topic, partition)` records each, the client
    /// that reads it, and the partitions by leader as its metadata tells.
    private func cluster() throws -> (MockCluster, KafkaClient, [Int32: [TopicPartition]]) {
        let cluster = try MockCluster(brokers: 3)
        let configuration = ClientConfiguration([("bootstrap.servers", cluster.bootstrapServers)])
        let producer = try Producer(configuration: configuration)
        for topic in Self.topics {
            try cluster.createTopic(topic, partitions: Self.partitionsPerTopic, replicationFactor: 3)
            for partition in 0..<Int32(Self.partitionsPerTopic) {
                for _ in 0..<Self.records(topic, partition) {
                    try producer.produce(topic: topic, partition: partition, value: Array("x".utf8))
                }
            }
        }
        try producer.flush(timeout: .seconds(10))
        producer.close()

        let client = try KafkaClient(kind: .producer, configuration: configuration)
        var byLeader: [Int32: [TopicPartition]] = [:]
        for topic in try client.fetchMetadata(timeout: .seconds(5)).topics where Self.topics.contains(topic.name) {
            for partition in topic.partitions { byLeader[partition.leader, default: []].append(TopicPartition(topic.name, partition.id)) }
        }
        return (cluster, client, byLeader)
    }

    /// Differs between neighbouring partitions and topics, so that a value landing on the wrong partition shows.
    private static func records(_ topic: String, _ partition: Int32) -> Int {
        Int(partition) % 7 + 2 * (topics.firstIndex(of: topic) ?? 0) + 1
    }

    private static func expected(_ partitions: some Sequence<TopicPartition>) -> [TopicPartition: Watermarks] {
        Dictionary(uniqueKeysWithValues: partitions.map { ($0, Watermarks(oldest: 0, newest: Int64(records($0.topic, $0.partition)))) })
    }

    @Test func manySmallBatchesOverThreeLeadersGiveEveryPartitionsExactWatermarks() throws {
        let (cluster, client, byLeader) = try cluster()
        defer { client.close(); withExtendedLifetime(cluster) {} }
        #expect(byLeader.keys.sorted() == [1, 2, 3])

        let result = client.fetchWatermarks(
            byLeader: byLeader, batching: .init(batchSize: 7, inFlight: 4), timeout: .seconds(10))
        #expect(result.errors.isEmpty)
        #expect(result.watermarks == Self.expected(byLeader.values.joined()))
        #expect(result.watermarks.count == Self.topics.count * Self.partitionsPerTopic)
    }

    /// With one call in flight the first call is the oldest offsets of the lowest leader's first batch:
    /// only those partitions fail; a partition without a leader fails alone.
    @Test func aFailingBatchCostsOnlyItsOwnPartitions() throws {
        let (cluster, client, byLeader) = try cluster()
        defer { client.close(); withExtendedLifetime(cluster) {} }
        let leaderless = TopicPartition("orders", 999)
        cluster.pushRequestErrors(apiKey: 2, errors: [.topicAuthorizationFailed])

        let result = client.fetchWatermarks(
            byLeader: byLeader.merging([-1: [leaderless]]) { $0 + $1 }, batching: .init(batchSize: 7, inFlight: 1), timeout: .seconds(10))
        let failedBatch = Array(byLeader[1]!.prefix(7))
        #expect(Set(result.errors.keys) == Set(failedBatch + [leaderless]))
        #expect(result.errors[failedBatch[0]]?.code == KafkaErrorCode.topicAuthorizationFailed.rawValue)
        #expect(result.watermarks == Self.expected(byLeader.values.joined().filter { !failedBatch.contains($0) }))
    }
}
