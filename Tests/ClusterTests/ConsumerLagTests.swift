import Cluster
import Kafka
import Testing

@Suite struct ConsumerLagTests {
    @Test(arguments: [(10, 100, 90), (100, 100, 0), (120, 100, 0), (0, 0, 0)] as [(Int64, Int64, Int64)])
    func lagIsNewestMinusCommittedNeverNegative(committed: Int64, newest: Int64, expected: Int64) {
        #expect(ConsumerLag.messages(committed: committed, newest: newest) == expected)
    }

    @Test func byPartitionSkipsPartitionsWithoutANewestOffset() {
        let group = ConsumerGroupState(
            id: "g", state: nil, members: nil,
            committedOffsets: [TopicPartition("t", 1): 5, TopicPartition("t", 0): 3, TopicPartition("gone", 0): 9])
        let topic = TopicState(name: "t", partitions: [
            PartitionState(info: PartitionInfo(id: 0, leader: 1, replicas: [1], inSyncReplicas: [1]), watermarks: Watermarks(oldest: 0, newest: 10)),
            PartitionState(info: PartitionInfo(id: 1, leader: 1, replicas: [1], inSyncReplicas: [1]), watermarks: Watermarks(oldest: 0, newest: 5)),
        ])
        let lags = ConsumerLag.byPartition(group, newestOffsets: NewestOffsets([topic]))
        #expect(lags.map(\.partition) == [TopicPartition("t", 0), TopicPartition("t", 1)])
        #expect(lags.map(\.lag) == [7, 0])
    }
}
