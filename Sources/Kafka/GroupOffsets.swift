import CRdKafka

extension AdminClient {
    /// Committed offsets of each group (one request per group in librdkafka 2.0.2), at most
    /// `maxInFlight` at a time. Partitions without a committed offset are left out. A request still
    /// unanswered `timeout` + `grace` after it was sent abandons the handle (see `librdkafkaTimeout`)
    /// and fails with the requests not answered yet.
    package func committedOffsets(
        _ requests: [OffsetRequest], timeout: Duration, maxInFlight: Int
    ) -> [String: Result<[TopicPartition: Int64], KafkaError>] {
        var results: [String: Result<[TopicPartition: Int64], KafkaError>] = [:]
        guard !requests.isEmpty else { return results }
        let client: KafkaClient
        let call: AdminCall
        do {
            client = try self.client()
            call = try AdminCall(
                handle: client.retainHandle(), operation: RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS,
                timeout: librdkafkaTimeout(RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS, timeout))
        } catch {
            for request in requests { results[request.group] = .failure(error) }
            return results
        }
        var next = 0
        var sentAt: [Int: ContinuousClock.Instant] = [:]
        while next < requests.count || !sentAt.isEmpty {
            while next < requests.count && sentAt.count < max(1, maxInFlight) {
                send(requests[next], index: next, call: call)
                sentAt[next] = .now
                next += 1
            }
            guard let oldest = sentAt.values.min(), let event = call.nextEvent(deadline: oldest + timeout + grace) else { break }
            let index = event.opaque - 1
            guard sentAt.removeValue(forKey: index) != nil else { continue }
            results[requests[index].group] = Self.offsets(from: event, group: requests[index].group)
        }
        if !sentAt.isEmpty || next < requests.count {
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
