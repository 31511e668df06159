import Cluster
import ClusterMetrics
import Exposition
import Foundation
import Kafka
import Testing
import TestSupport

@Suite struct BrokerLoadSourceTests {
    /// Broker 3 leads nothing and hosts one replica; a partition without a leader counts for no broker.
    @Test func countsLeadersAndReplicasPerBroker() {
        let partition = { (id: Int32, leader: Int32, replicas: [Int32]) in
            PartitionState(info: PartitionInfo(id: id, leader: leader, replicas: replicas, inSyncReplicas: replicas), watermarks: nil)
        }
        let state = ClusterState(
            collectedAt: Date(timeIntervalSince1970: 1_700_000_000),
            brokers: [1, 2, 3].map { Broker(id: $0, host: "b\($0)", port: 9092) },
            topics: [
                TopicState(name: "a", partitions: [partition(0, 1, [1, 2]), partition(1, 1, [1, 3]), partition(2, 2, [2, 1])]),
                TopicState(name: "b", partitions: [partition(0, -1, [2])]),
            ],
            groups: [])
        let writer = ExpositionWriter(format: .text)
        let samples = ExpositionSamples(BrokerLoadSource().families(from: state).map { writer.render($0).string }.joined())
        #expect(samples.value("kafka_broker_leader_partitions", ["id": "1"]) == 2)
        #expect(samples.value("kafka_broker_leader_partitions", ["id": "2"]) == 1)
        #expect(samples.value("kafka_broker_leader_partitions", ["id": "3"]) == 0)
        #expect(samples.value("kafka_broker_replica_partitions", ["id": "1"]) == 3)
        #expect(samples.value("kafka_broker_replica_partitions", ["id": "2"]) == 3)
        #expect(samples.value("kafka_broker_replica_partitions", ["id": "3"]) == 1)
    }
}
