import Cluster
import Duplicates
import Foundation
import Kafka
import Logging
import Testing
import TestSupport

/// The duplicate reader on the mock cluster: it reads only the partitions it follows, from their end,
/// and never commits in its group.
@Suite(.serialized) struct DuplicateReaderTests {
    private static let topic = "watched"

    /// Every record is examined (sampling factor 1), so the counts are exact.
    private static func reader(_ cluster: MockCluster) throws -> DuplicateReader {
        var settings = DuplicateSettings(topics: try NameFilter(include: topic))
        settings.samplingFactor = 1
        let logger = Logger(label: "duplicate-reader-test")
        let factory = KafkaClientFactory(base: ClientConfiguration([("bootstrap.servers", cluster.bootstrapServers)]), logger: logger)
        return DuplicateReader(settings: settings, consumer: try factory.assignedConsumer(role: "duplicates"), logger: logger)
    }

    private static func count(_ name: String, of reader: DuplicateReader) -> Double {
        reader.families(at: Date()).first { $0.name == name }?.samples.first { $0.labelValues == [topic] }?.value ?? 0
    }

    private static func read(by reader: DuplicateReader) -> Double { count("kafka_topic_records_read_total", of: reader) }

    private static func record(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func readsOnlyTheFollowedPartitionsFromTheirEndAndNeverCommits() throws {
        let cluster = try MockCluster(brokers: 1)
        try cluster.createTopic(Self.topic, partitions: 3)
        let producer = try Producer(configuration: ClientConfiguration([("bootstrap.servers", cluster.bootstrapServers)]))
        defer { producer.close() }
        let copies = 20
        func produce(_ partition: Int32, _ contents: [String]) throws {
            for content in contents { try producer.produce(topic: Self.topic, partition: partition, value: Self.record(content)) }
            try producer.flush(timeout: .seconds(10))
        }
        // Written before the reader follows: a reader that started anywhere but the end would count the
        // copies written later as duplicates of these.
        for partition: Int32 in 0...2 {
            try produce(partition, (0..<copies).map { "early \(partition)-\($0)" })
        }

        let reader = try Self.reader(cluster)
        let followed: Set<TopicPartition> = [TopicPartition(Self.topic, 0), TopicPartition(Self.topic, 1)]
        reader.follow(followed)
        reader.start()
        defer { reader.stop() }

        // librdkafka looks each partition's end up after the assignment: a partition is being read once a
        // record written to it alone is counted.
        var marker = 0
        for partition: Int32 in [0, 1] {
            let before = Self.read(by: reader)
            #expect(poll(within: .seconds(30)) {
                marker += 1
                try? produce(partition, ["marker \(marker)"])
                return poll(within: .milliseconds(300)) { Self.read(by: reader) > before }
            }, "partition \(partition) is never read")
        }
        let base = Self.read(by: reader)
        #expect(Self.count("kafka_topic_duplicate_records_total", of: reader) == 0)

        // The unfollowed partition is written first, and written to again, so that a reader following it
        // would count these before or among the followed partitions' records.
        try produce(2, (0..<copies).map { "late 2-\($0)" })
        try produce(2, (0..<copies).map { "early 2-\($0)" })
        for partition: Int32 in [0, 1] {
            try produce(partition, (0..<copies).map { "early \(partition)-\($0)" })
        }
        let expected = base + Double(2 * copies)
        #expect(poll(within: .seconds(20)) { Self.read(by: reader) >= expected })
        #expect(Self.read(by: reader) == expected, "only the \(2 * copies) records of partitions 0 and 1 are read")
        #expect(Self.count("kafka_topic_records_sampled_total", of: reader) == expected)
        #expect(Self.count("kafka_topic_duplicate_records_total", of: reader) == 0,
                "the records written before the reader followed were never read")

        let admin = AdminClient { () throws(KafkaError) in
            try KafkaClient(kind: .producer, configuration: ClientConfiguration([("bootstrap.servers", cluster.bootstrapServers)]))
        }
        let group = "kafka-exporter-duplicates"
        let partitions = (0...2).map { TopicPartition(Self.topic, $0) }
        let committed = admin.committedOffsets([AdminClient.OffsetRequest(group: group, partitions: partitions)], timeout: .seconds(5), maxInFlight: 1)
        #expect(try committed[group]?.get() == [:], "the reader committed in its group")
    }
}
