import Foundation
import Kafka
import Logging
import TestSupport
import Testing

/// The first record at an offset on the mock cluster: its offset and CreateTime, an offset past the
/// log's end, and a leader that does not answer.
@Suite struct FirstRecordReaderTests {
    private static let topic = "orders"
    private static let recordsPerPartition = 5

    /// 4 partitions led by brokers 1 and 2 alternately, holding 5 records each, produced between the
    /// two instants returned (milliseconds since 1970).
    private func cluster() throws -> (MockCluster, FirstRecordReader, ClosedRange<Int64>) {
        let cluster = try MockCluster(brokers: 2)
        try cluster.createTopic(Self.topic, partitions: 4)
        for partition in Int32(0)..<4 { try cluster.setLeader(topic: Self.topic, partition: partition, broker: partition % 2 + 1) }
        let configuration = ClientConfiguration([("bootstrap.servers", cluster.bootstrapServers)])
        let before = Self.milliseconds()
        let producer = try Producer(configuration: configuration)
        for partition in Int32(0)..<4 {
            for index in 0..<Self.recordsPerPartition {
                try producer.produce(topic: Self.topic, partition: partition, value: Array("record \(index)".utf8))
            }
        }
        try producer.flush(timeout: .seconds(10))
        producer.close()
        let after = Self.milliseconds()
        let factory = KafkaClientFactory(base: configuration, logger: Logger(label: "first-record-test"))
        return (cluster, try FirstRecordReader(factory: factory, role: "lag-timestamps", partitionFetchBytes: 1), before...after)
    }

    private static func read(_ reader: FirstRecordReader, _ offsets: [TopicPartition: Int64], timeout: Duration) -> [TopicPartition: FirstRecord] {
        var results: [TopicPartition: FirstRecord] = [:]
        reader.read(offsets, timeout: timeout) { partition, result in
            #expect(results[partition] == nil, "\(partition) answered twice")
            results[partition] = result
        }
        return results
    }

    private static func milliseconds() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }

    @Test func eachPartitionGivesTheRecordAtItsOffsetWithItsCreateTime() throws {
        let (cluster, reader, produced) = try cluster()
        defer { reader.close(); withExtendedLifetime(cluster) {} }
        let offsets: [TopicPartition: Int64] = [
            TopicPartition(Self.topic, 0): 2, TopicPartition(Self.topic, 1): 0, TopicPartition(Self.topic, 2): 4, TopicPartition(Self.topic, 3): 3,
        ]
        let results = Self.read(reader, offsets, timeout: .seconds(20))
        #expect(results.count == offsets.count)
        for (partition, offset) in offsets {
            guard case .record(let at, .createTime(let milliseconds), let bytes)? = results[partition] else {
                Issue.record("\(partition): \(String(describing: results[partition]))")
                continue
            }
            #expect(at == offset)
            #expect(produced.contains(milliseconds))
            #expect(bytes == "record \(offset)".utf8.count)
        }
        // Read again at other offsets: the reader takes a new assignment each time.
        let again = Self.read(reader, [TopicPartition(Self.topic, 0): 1], timeout: .seconds(20))
        guard case .record(let at, _, _)? = again[TopicPartition(Self.topic, 0)] else {
            Issue.record("second read: \(again)")
            return
        }
        #expect(at == 1)
    }

    @Test func theLogsEndGivesEndOfPartitionAndBeyondItOffsetOutOfRange() throws {
        let (cluster, reader, _) = try cluster()
        defer { reader.close(); withExtendedLifetime(cluster) {} }
        let end = TopicPartition(Self.topic, 0), beyond = TopicPartition(Self.topic, 1)
        let results = Self.read(reader, [end: Int64(Self.recordsPerPartition), beyond: 100], timeout: .seconds(20))
        #expect(results[end] == .endOfPartition(end: Int64(Self.recordsPerPartition)))
        guard case .failed(let error)? = results[beyond] else {
            Issue.record("beyond the end: \(String(describing: results[beyond]))")
            return
        }
        #expect(error.isOffsetOutOfRange)
    }

    /// Broker 2's partitions time out; broker 1's are answered in the same read.
    @Test func aLeaderDownCostsOnlyItsOwnPartitions() throws {
        let (cluster, reader, _) = try cluster()
        defer { reader.close(); withExtendedLifetime(cluster) {} }
        try cluster.setBrokerDown(2)
        let offsets = Dictionary(uniqueKeysWithValues: (Int32(0)..<4).map { (TopicPartition(Self.topic, $0), Int64(1)) })
        let results = Self.read(reader, offsets, timeout: .seconds(3))
        for partition in offsets.keys {
            if partition.partition % 2 == 0 {
                guard case .record? = results[partition] else {
                    Issue.record("\(partition) led by broker 1: \(String(describing: results[partition]))")
                    continue
                }
            } else {
                guard case .failed(let error)? = results[partition] else {
                    Issue.record("\(partition) led by broker 2: \(String(describing: results[partition]))")
                    continue
                }
                #expect(error.isTimeout)
            }
        }
    }
}
