import Kafka
import Probe
import Testing

@Suite struct ProbeTopicLayoutTests {
    @Test func eachBrokerLeadsOnePartitionWithUpToThreeReplicas() {
        #expect(ProbeTopicLayout.replicas(brokers: [3, 1, 2]) == [[1, 2, 3], [2, 3, 1], [3, 1, 2]])
        #expect(ProbeTopicLayout.replicas(brokers: [7]) == [[7]])
        #expect(ProbeTopicLayout.replicas(brokers: [1, 2, 3, 4]).map(\.count) == [3, 3, 3, 3])
        #expect(ProbeTopicLayout.replicas(brokers: [1, 2, 3, 4]).map(\.first) == [1, 2, 3, 4])
    }

    @Test func existingTopicsAreCheckedNotChanged() {
        let healthy = TopicInfo(name: "probe", partitions: [
            PartitionInfo(id: 0, leader: 1, replicas: [1, 2], inSyncReplicas: [1, 2]),
            PartitionInfo(id: 1, leader: 2, replicas: [2, 1], inSyncReplicas: [2, 1]),
        ])
        #expect(ProbeTopicLayout.problem(healthy, brokers: [1, 2]) == nil)
        #expect(ProbeTopicLayout.problem(healthy, brokers: [1, 2, 3]) == "probe topic probe: broker(s) 3 lead no partition of it")
        let leaderless = TopicInfo(name: "probe", partitions: [
            PartitionInfo(id: 0, leader: -1, replicas: [1], inSyncReplicas: []),
            PartitionInfo(id: 1, leader: 2, replicas: [2], inSyncReplicas: [2]),
        ])
        #expect(ProbeTopicLayout.problem(leaderless, brokers: [1, 2])
            == "probe topic probe: broker(s) 1 lead no partition of it; partition(s) 0 have no leader")
    }
}
