import CRdKafka

extension GroupState {
    init(_ state: rd_kafka_consumer_group_state_t) {
        self = GroupState(rawValue: String(cString: rd_kafka_consumer_group_state_name(state))) ?? .unknown
    }
}

extension GroupDescription {
    init(_ description: OpaquePointer) {
        let memberCount = rd_kafka_ConsumerGroupDescription_member_count(description)
        let members = (0..<memberCount).compactMap { index -> GroupMember? in
            guard let member = rd_kafka_ConsumerGroupDescription_member(description, index) else { return nil }
            let assignment = rd_kafka_MemberDescription_assignment(member)
                .map { PartitionList.elements(of: rd_kafka_MemberAssignment_partitions($0)).map(\.topicPartition) } ?? []
            return GroupMember(
                consumerID: String(cString: rd_kafka_MemberDescription_consumer_id(member)),
                clientID: String(cString: rd_kafka_MemberDescription_client_id(member)),
                host: String(cString: rd_kafka_MemberDescription_host(member)),
                assignment: assignment)
        }
        self.init(
            groupID: String(cString: rd_kafka_ConsumerGroupDescription_group_id(description)),
            state: GroupState(rd_kafka_ConsumerGroupDescription_state(description)),
            members: members,
            coordinator: rd_kafka_ConsumerGroupDescription_coordinator(description).map { rd_kafka_Node_id($0) },
            partitionAssignor: rd_kafka_ConsumerGroupDescription_partition_assignor(description).map { String(cString: $0) } ?? "",
            error: rd_kafka_ConsumerGroupDescription_error(description).map { KafkaError(error: $0, owned: false) })
    }
}
