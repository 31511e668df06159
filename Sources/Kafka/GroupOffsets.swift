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
        do { client = try self.client() } catch {
            for request in requests { results[request.group] = .failure(error) }
            return results
        }
        let call = AdminCall(client: client, operation: RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS, timeout: timeout)
        var next = 0
        var inFlight = 0
        var deadline = ContinuousClock.now + timeout + grace
        while next < requests.count || inFlight > 0 {
            while next < requests.count && inFlight < max(1, maxInFlight) {
                send(requests[next], index: next, on: client, call: call)
                next += 1
                inFlight += 1
            }
            guard let event = call.nextEvent(deadline: deadline) else { break }
            inFlight -= 1
            deadline = ContinuousClock.now + timeout + grace
            let request = requests[Int(bitPattern: rd_kafka_event_opaque(event)) - 1]
            results[request.group] = Self.offsets(from: event, group: request.group)
            rd_kafka_event_destroy(event)
        }
        if inFlight > 0 || next < requests.count {
            abandon(client)
            for request in requests where results[request.group] == nil {
                results[request.group] = .failure(.timedOut("ListConsumerGroupOffsets"))
            }
        }
        return results
    }

    private func send(_ request: OffsetRequest, index: Int, on client: KafkaClient, call: AdminCall) {
        let partitionList = request.partitions.map { PartitionList($0) }
        var groupRequest = partitionList.map { list in list.withPointer { rd_kafka_ListConsumerGroupOffsets_new(request.group, $0) } }
            ?? rd_kafka_ListConsumerGroupOffsets_new(request.group, nil)
        rd_kafka_ListConsumerGroupOffsets(client.handle, &groupRequest, 1, call.options(opaque: index + 1), call.queue)
        rd_kafka_ListConsumerGroupOffsets_destroy(groupRequest)
    }

    private static func offsets(from event: OpaquePointer, group: String) -> Result<[TopicPartition: Int64], KafkaError> {
        let code = rd_kafka_event_error(event)
        if code != RD_KAFKA_RESP_ERR_NO_ERROR {
            return .failure(KafkaError(code, "ListConsumerGroupOffsets(\(group)): \(String(cString: rd_kafka_event_error_string(event)))"))
        }
        guard let result = rd_kafka_event_ListConsumerGroupOffsets_result(event) else {
            return .failure(.invalidArgument("ListConsumerGroupOffsets: unexpected event"))
        }
        var count = 0
        guard let groups = rd_kafka_ListConsumerGroupOffsets_result_groups(result, &count), count > 0,
              let groupResult = groups[0]
        else { return .success([:]) }
        if let error = rd_kafka_group_result_error(groupResult) {
            return .failure(KafkaError(error: error, owned: false))
        }
        var offsets: [TopicPartition: Int64] = [:]
        for element in PartitionList.elements(of: rd_kafka_group_result_partitions(groupResult))
        where element.err == RD_KAFKA_RESP_ERR_NO_ERROR && element.offset >= 0 {
            offsets[element.topicPartition] = element.offset
        }
        return .success(offsets)
    }
}
