import CRdKafka
import Kafka

extension AdminClient {
    /// Deletes consumer groups (the broker refuses groups with members, except brokers that do not).
    package func deleteGroups(_ groups: [String], timeout: Duration) throws(KafkaError) {
        let client = try client()
        let call = AdminCall(client: client, operation: RD_KAFKA_ADMIN_OP_DELETEGROUPS, timeout: timeout)
        var requests = groups.map { rd_kafka_DeleteGroup_new($0) }
        defer { requests.forEach { rd_kafka_DeleteGroup_destroy($0) } }
        rd_kafka_DeleteGroups(client.handle, &requests, requests.count, call.options(opaque: 0), call.queue)
        guard let event = call.nextEvent(deadline: .now + timeout + grace) else {
            throw KafkaError.timedOut("DeleteGroups")
        }
        defer { rd_kafka_event_destroy(event) }
        try call.check(event, "DeleteGroups")
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
