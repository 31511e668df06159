import Cluster
import ClusterMetrics
import Exposition
import Foundation
import Kafka
import Testing

@Suite struct GroupDetailSourceTests {
    private func state(_ groups: [ConsumerGroupState]) -> ClusterState {
        ClusterState(collectedAt: Date(), brokers: [Broker(id: 1, host: "b1", port: 9092)], topics: [], groups: groups)
    }

    private func values(_ families: [MetricFamily], _ name: String) -> [[String]: Double] {
        let family = families.first { $0.name == name }!
        return Dictionary(uniqueKeysWithValues: family.samples.map { ($0.labelValues, $0.value) })
    }

    @Test func describedGroupsShowStateCoordinatorMembersAndTopics() {
        let router = ConsumerGroupState(
            id: "router", state: .stable,
            members: [
                GroupMember(consumerID: "m-2", clientID: "router-b", host: "/10.0.0.2", assignment: [TopicPartition("raw", 1)]),
                GroupMember(consumerID: "m-1", clientID: "router-a", host: "/10.0.0.1",
                            assignment: [TopicPartition("raw", 0), TopicPartition("raw", 2), TopicPartition("retry", 0)]),
            ],
            committedOffsets: [TopicPartition("raw", 0): 5, TopicPartition("archive", 0): 1],
            coordinator: 3, partitionAssignor: "cooperative-sticky")
        let families = GroupDetailSource().families(from: state([router]))

        let states = values(families, "kafka_consumergroup_state")
        #expect(states.count == GroupState.allCases.count)
        #expect(states.filter { $0.value == 1 }.map(\.key) == [["router", "Stable"]])
        #expect(values(families, "kafka_consumergroup_info") == [["router", "3", "cooperative-sticky"]: 1])
        #expect(values(families, "kafka_consumergroup_member_info") == [
            ["router", "m-1", "router-a", "/10.0.0.1"]: 1, ["router", "m-2", "router-b", "/10.0.0.2"]: 1,
        ])
        #expect(values(families, "kafka_consumergroup_member_assigned_partitions") == [
            ["router", "m-1", "raw"]: 2, ["router", "m-1", "retry"]: 1, ["router", "m-2", "raw"]: 1,
        ])
        // Assigned topics and topics with commits.
        #expect(values(families, "kafka_consumergroup_topic_info") == [
            ["router", "archive"]: 1, ["router", "raw"]: 1, ["router", "retry"]: 1,
        ])
    }

    /// Where the broker cannot describe groups (the mock cluster), only committed topics are known.
    @Test func undescribedGroupsShowOnlyTheirCommittedTopics() {
        let families = GroupDetailSource().families(from: state([
            ConsumerGroupState(id: "billing", state: nil, members: nil, committedOffsets: [TopicPartition("orders", 0): 2]),
        ]))
        #expect(families.first { $0.name == "kafka_consumergroup_state" }!.isEmpty)
        #expect(families.first { $0.name == "kafka_consumergroup_info" }!.isEmpty)
        #expect(families.first { $0.name == "kafka_consumergroup_member_info" }!.isEmpty)
        #expect(values(families, "kafka_consumergroup_topic_info") == [["billing", "orders"]: 1])
    }
}
