import Cluster
import Foundation
import Kafka

/// A cluster state with `topics × partitionsPerTopic` partitions and `groups` groups each committed on
/// every partition of one topic: the shape of a large production cluster.
enum SyntheticCluster {
    static func state(topics: Int, partitionsPerTopic: Int, groups: Int) -> ClusterState {
        let topicStates = (0..<topics).map { topic in
            TopicState(name: "topic-\(topic)", partitions: (0..<partitionsPerTopic).map(partition))
        }
        let groupStates = (0..<groups).map { group in
            let topic = "topic-\(group % topics)"
            var offsets: [TopicPartition: Int64] = [:]
            for partition in 0..<partitionsPerTopic {
                offsets[TopicPartition(topic, Int32(partition))] = Int64(999_000 + partition * 7919)
            }
            return ConsumerGroupState(id: "group-\(group)", state: .stable, members: [], committedOffsets: offsets)
        }
        return ClusterState(collectedAt: Date(), brokers: [], topics: topicStates, groups: groupStates)
    }

    private static func partition(_ id: Int) -> PartitionState {
        let info = PartitionInfo(id: Int32(id), leader: Int32(id % 3 + 1), replicas: [1, 2, 3], inSyncReplicas: [1, 2, 3])
        let newest = Int64(1_000_000 + id * 7919)
        return PartitionState(info: info, watermarks: Watermarks(oldest: Int64(id * 10), newest: newest))
    }

    /// Series the kafka_exporter-compatible families render for this state.
    static func seriesCount(_ state: ClusterState) -> Int {
        let partitions = state.topics.reduce(0) { $0 + $1.partitions.count }
        let committed = state.groups.reduce(0) { $0 + $1.committedOffsets.count }
        return partitions * 7 + committed * 2
    }
}
