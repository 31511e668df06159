import CRdKafka
import Support

package struct ConsumedMessage: Sendable {
    package let topicPartition: TopicPartition
    package let offset: Int64
    package let key: [UInt8]?
    package let value: [UInt8]
    /// Milliseconds since the epoch, when the message carries a timestamp.
    package let timestampMilliseconds: Int64?
}

extension ConsumedMessage {
    /// Copies a polled message; nil at a partition's end, and its error thrown. The caller destroys it.
    fileprivate init?(_ message: UnsafeMutablePointer<rd_kafka_message_t>) throws(KafkaError) {
        let m = message.pointee
        if m.err == RD_KAFKA_RESP_ERR__PARTITION_EOF { return nil }
        if m.err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(m.err) }
        var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let timestamp = rd_kafka_message_timestamp(message, &timestampType)
        self.init(
            topicPartition: TopicPartition(String(cString: rd_kafka_topic_name(m.rkt)), m.partition),
            offset: m.offset,
            key: m.key.map { Array(UnsafeRawBufferPointer(start: $0, count: m.key_len)) },
            value: m.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: m.len)) } ?? [],
            timestampMilliseconds: timestampType == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? nil : timestamp)
    }
}

/// A librdkafka high-level consumer for the demo and tests; also used to commit known offsets.
package final class Consumer: Sendable {
    package let client: KafkaClient
    /// Of every partition this consumer was assigned, for `closeWithoutLeavingGroup`.
    private let partitionQueues = Locked<[TopicPartition: PartitionQueue]>([:])

    package init(configuration: ClientConfiguration, callbacks: ClientCallbacks = ClientCallbacks()) throws(KafkaError) {
        client = try KafkaClient(kind: .consumer, configuration: configuration, callbacks: callbacks)
    }

    package func subscribe(_ topics: [String]) throws(KafkaError) {
        let list = PartitionList(topics.map { TopicPartition($0, RD_KAFKA_PARTITION_UA) })
        try client.withHandle { (handle) throws(KafkaError) in
            try list.withPointer { (list) throws(KafkaError) in try KafkaError.check(rd_kafka_subscribe(handle, list), "subscribe") }
        }
    }

    /// Reads the given partitions from the given offsets without joining a group.
    package func assign(_ offsets: [TopicPartition: Int64]) throws(KafkaError) {
        let list = PartitionList(offsets: offsets)
        let handle = try client.retainHandle()
        try handle.use { (handle) throws(KafkaError) in
            try list.withPointer { (list) throws(KafkaError) in try KafkaError.check(rd_kafka_assign(handle, list), "assign") }
        }
        partitionQueues.withLock { queues in
            for partition in offsets.keys where queues[partition] == nil {
                queues[partition] = PartitionQueue(handle, partition)
            }
        }
    }

    /// Stops reading every assigned partition; their fetch queues stay known to `closeWithoutLeavingGroup`.
    package func unassign() {
        _ = try? client.withHandle { rd_kafka_assign($0, nil) }
    }

    /// The next message, or nil after a timeout or an error, which `onError` hears: the readers in the
    /// exporter and the demo log it and read on.
    package func next(timeout: Duration, onError: (KafkaError) -> Void) -> ConsumedMessage? {
        do {
            return try poll(timeout: timeout)
        } catch {
            onError(error)
            return nil
        }
    }

    package func poll(timeout: Duration) throws(KafkaError) -> ConsumedMessage? {
        try client.withHandle { (handle) throws(KafkaError) in
            guard let message = rd_kafka_consumer_poll(handle, timeout.milliseconds) else { return nil }
            defer { rd_kafka_message_destroy(message) }
            return try ConsumedMessage(message)
        }
    }

    /// Commits explicit offsets (the next offset to read, as Kafka defines committed offsets).
    package func commit(_ offsets: [TopicPartition: Int64]) throws(KafkaError) {
        let list = PartitionList(offsets: offsets)
        try client.withHandle { (handle) throws(KafkaError) in
            try list.withPointer { (list) throws(KafkaError) in try KafkaError.check(rd_kafka_commit(handle, list, 0), "commit") }
        }
    }

    /// Commits the offsets of the messages consumed so far.
    package func commitConsumed(async: Bool) throws(KafkaError) {
        try client.withHandle { (handle) throws(KafkaError) in
            let code = rd_kafka_commit(handle, nil, async ? 1 : 0)
            if code == RD_KAFKA_RESP_ERR__NO_OFFSET { return }
            try KafkaError.check(code, "commit")
        }
    }

    package func close() {
        client.close()
    }

    /// Destroys a consumer that was only assigned partitions without the consumer close, which has no
    /// group to leave and can wait forever for a broker that was restarted (librdkafka 2.0.2). Its
    /// partitions are unassigned and their fetch queues drained first (see `PartitionQueue`).
    package func closeWithoutLeavingGroup() {
        drainAssignedPartitions()
        client.close(leavingGroup: false)
    }

    private func drainAssignedPartitions() {
        let queues = partitionQueues.withLock { queues in
            defer { queues = [:] }
            return Array(queues.values)
        }
        guard !queues.isEmpty, let handle = try? client.retainHandle() else { return }
        handle.use { _ = rd_kafka_assign($0, nil) }
        // The fetchers stop on librdkafka's threads; what they still deliver lands in these queues.
        let until = ContinuousClock.now + Self.drainTime
        while ContinuousClock.now < until {
            for queue in queues { queue.drain(waitingAtMost: .milliseconds(10)) }
        }
    }

    private static let drainTime = Duration.milliseconds(300)
}
