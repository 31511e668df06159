import Cluster
import Exposition
import Kafka
import MetricSources

/// What the coordinator says of each group (where the broker answers DescribeConsumerGroups): its
/// state, coordinator and assignor, its members with client id and host, the partitions assigned to
/// each member, and the topics each group consumes.
package struct GroupDetailSource: ClusterStateSource {
    package let name = "group_detail"
    package static let declaredFamilies = [groupState, groupInfo, memberInfo, assignedPartitions, topicInfo]

    private static let groupState = MetricFamily(
        name: "kafka_consumergroup_state",
        help: "1 for the group's state as its coordinator reports it (Stable, Empty, PreparingRebalance, CompletingRebalance, Dead, Unknown), 0 for the others.",
        type: .gauge, labelNames: ["consumergroup", "state"])
    private static let groupInfo = MetricFamily(
        name: "kafka_consumergroup_info", help: "The group's coordinator broker id and partition assignor (empty when the broker does not say).",
        type: .gauge, labelNames: ["consumergroup", "coordinator", "assignor"])
    private static let memberInfo = MetricFamily(
        name: "kafka_consumergroup_member_info", help: "A member of the group, with its client id and host.",
        type: .gauge, labelNames: ["consumergroup", "member", "client_id", "host"])
    private static let assignedPartitions = MetricFamily(
        name: "kafka_consumergroup_member_assigned_partitions", help: "Partitions of the topic assigned to the member.",
        type: .gauge, labelNames: ["consumergroup", "member", "topic"])
    private static let topicInfo = MetricFamily(
        name: "kafka_consumergroup_topic_info", help: "A topic the group consumes: assigned to a member or holding a committed offset of the group.",
        type: .gauge, labelNames: ["consumergroup", "topic"])

    package init() {}

    package func families(from state: ClusterState) -> [MetricFamily] {
        var groupState = Self.groupState
        var info = Self.groupInfo
        var members = Self.memberInfo
        var assigned = Self.assignedPartitions
        var topics = Self.topicInfo

        for group in state.groups {
            if let current = group.state {
                for candidate in GroupState.allCases {
                    groupState.add(group.id, candidate.rawValue, candidate == current ? 1 : 0)
                }
            }
            if let coordinator = group.coordinator {
                info.add(group.id, String(coordinator), group.partitionAssignor ?? "", 1)
            }
            var consumed = Set(group.committedOffsets.keys.map(\.topic))
            for member in (group.members ?? []).sorted(by: { $0.consumerID < $1.consumerID }) {
                members.add([group.id, member.consumerID, member.clientID, member.host], 1)
                var perTopic: [String: Int] = [:]
                for partition in member.assignment { perTopic[partition.topic, default: 0] += 1 }
                for topic in perTopic.keys.sorted() {
                    assigned.add(group.id, member.consumerID, topic, Double(perTopic[topic]!))
                }
                consumed.formUnion(perTopic.keys)
            }
            for topic in consumed.sorted() { topics.add(group.id, topic, 1) }
        }
        return [groupState, info, members, assigned, topics]
    }
}

/// Always on; it has no flags.
package struct GroupDetailOptions: SourceOptions {
    package init() {}

    package func makeSource(_: Void, in context: SourceContext) throws -> GroupDetailSource? {
        GroupDetailSource()
    }
}
