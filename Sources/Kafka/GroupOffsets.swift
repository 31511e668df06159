import CRdKafka

extension AdminClient {
    /// Committed offsets of each group (one request per group in librdkafka 2.0.2), at most
    /// `maxInFlight` at a time. Partitions without a committed offset are left out.
    package func committedOffsets(
        _ requests: [OffsetRequest], timeout: Duration, maxInFlight: Int
    ) -> [String: Result<[TopicPartition: Int64], KafkaError>] {
        var results: [String: Result<[TopicPartition: Int64], KafkaError>] = [:]
        guard !requests.isEmpty else { return results }
        let client: KafkaClient
        let call: AdminCall
        do {
            client = try self.client()
            call = try AdminCall(handle: client.retainHandle(), operation: RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS, timeout: timeout)
        } catch {
            for request in requests { results[request.group] = .failure(error) }
            return results
        }
        var next = 0
        var inFlight = 0
        var deadline = ContinuousClock.now + timeout + grace
        while next < requests.count || inFlight > 0 {
            while next < requests.count && inFlight < max(1, maxInFlight) {
                send(requests[next], index: next, call: call)
                next += 1
                inFlight += 1
            }
            guard let event = call.nextEvent(deadline: deadline) else { break }
            inFlight -= 1
            deadline = ContinuousClock.now + timeout + grace
            let request = requests[event.opaque - 1]
            results[request.group] = Self.offsets(from: event, group: request.group)
        }
        if inFlight > 0 || next < requests.count {
            abandon(client)
            for request in requests where results[request.group] == nil {
                results[request.group] = .failure(.timedOut("ListConsumerGroupOffsets"))
            }
        }
        return results
    }

    private func send(_ request: OffsetRequest, index: Int, call: AdminCall) {
        let partitionList = request.partitions.map { PartitionList($0) }
        var groupRequest = partitionList.map { list in list.withPointer { rd_kafka_ListConsumerGroupOffsets_new(request.group, $0) } }
            ?? rd_kafka_ListConsumerGroupOffsets_new(request.group, nil)
        defer { rd_kafka_ListConsumerGroupOffsets_destroy(groupRequest) }
        call.submit(opaque: index + 1) { rd_kafka_ListConsumerGroupOffsets($0, &groupRequest, 1, $1, $2) }
    }

    private static func offsets(from event: AdminEvent, group: String) -> Result<[TopicPartition: Int64], KafkaError> {
        Result { () throws(KafkaError) in
            try event.check("ListConsumerGroupOffsets(\(group))")
            return try event.read { (event) throws(KafkaError) in
                guard let result = rd_kafka_event_ListConsumerGroupOffsets_result(event) else {
                    throw .invalidArgument("ListConsumerGroupOffsets: unexpected event")
                }
                var count = 0
                guard let groups = rd_kafka_ListConsumerGroupOffsets_result_groups(result, &count), count > 0,
                      let groupResult = groups[0]
                else { return [:] }
                if let error = rd_kafka_group_result_error(groupResult) {
                    throw KafkaError(error: error, owned: false)
                }
                var offsets: [TopicPartition: Int64] = [:]
                for element in PartitionList.elements(of: rd_kafka_group_result_partitions(groupResult))
                where element.err == RD_KAFKA_RESP_ERR_NO_ERROR && element.offset >= 0 {
                    offsets[element.topicPartition] = element.offset
                }
                return offsets
            }
        }
    }
}
