import CRdKafka

extension AdminClient {
    /// Deletes consumer groups (the broker refuses groups with members, except brokers that do not).
    package func deleteGroups(_ groups: [String], timeout: Duration) throws(KafkaError) {
        try request(RD_KAFKA_ADMIN_OP_DELETEGROUPS, named: "DeleteGroups", timeout: timeout) { call in
            var requests = groups.map { rd_kafka_DeleteGroup_new($0) }
            defer { requests.forEach { rd_kafka_DeleteGroup_destroy($0) } }
            call.submit(opaque: 0) { rd_kafka_DeleteGroups($0, &requests, requests.count, $1, $2) }
        } read: { (event) throws(KafkaError) in
            var count = 0
            guard let result = rd_kafka_event_DeleteGroups_result(event),
                  let results = rd_kafka_DeleteGroups_result_groups(result, &count) else { return }
            for groupResult in UnsafeBufferPointer(start: results, count: count) {
                if let groupResult, let error = rd_kafka_group_result_error(groupResult) {
                    throw KafkaError(error: error, owned: false)
                }
            }
        }
    }
}
