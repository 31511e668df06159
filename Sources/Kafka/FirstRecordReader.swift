import CRdKafka
import Support

/// The timestamp a record carries, as librdkafka reports it.
package enum RecordTimestamp: Sendable, Equatable {
    /// Set by the producer (`CreateTime`), in milliseconds since the epoch.
    case createTime(milliseconds: Int64)
    /// Set by the broker when it appended the record (`LogAppendTime`), in milliseconds since the epoch.
    case logAppendTime(milliseconds: Int64)
    /// The record carries none (message format v0, or a producer that sent -1).
    case none

    package var milliseconds: Int64? {
        switch self {
        case .createTime(let milliseconds), .logAppendTime(let milliseconds): milliseconds
        case .none: nil
        }
    }
}

/// What reading a partition from an offset found first.
package enum FirstRecord: Sendable, Equatable {
    /// The first record at or after the offset asked for: librdkafka skips transaction control records,
    /// and compaction may have removed the record at that offset. `bytes` is its key and value.
    case record(offset: Int64, timestamp: RecordTimestamp, bytes: Int)
    /// No record at or after the offset: only transaction markers (control records) lie between it
    /// and `end`, the partition's end when read.
    case endOfPartition(end: Int64)
    case failed(KafkaError)
}

/// Reads the first record at given offsets with a consumer that is assigned partitions (no group, no
/// commits), for the timestamp of the oldest record a consumer group has not consumed.
///
/// The consumer opens on the first read and stays open until `close()`: a reader that is never asked
/// costs no handle, no threads and no broker connections.
///
/// librdkafka sends one Fetch per leader broker for all the partitions it leads; the fetch sizes
/// (`properties`) keep each partition's answer to about one record batch, and `queued.min.messages`
/// 1 stops it from fetching further batches ahead of the reader.
package final class FirstRecordReader: Sendable {
    private enum Phase {
        case unopened
        case open(Consumer)
        case closed
    }

    private let role: String
    private let openConsumer: @Sendable () throws(KafkaError) -> Consumer
    private let phase = Locked(Phase.unopened)

    /// A reader whose consumer is `factory`'s assigned consumer for `role`. The consumer's configuration
    /// is checked here, so that a bad property fails at startup rather than at the first read.
    package init(factory: KafkaClientFactory, role: String, partitionFetchBytes: Int) throws(KafkaError) {
        let properties = Self.properties(partitionFetchBytes: partitionFetchBytes)
        try factory.validateAssignedConsumer(role: role, properties: properties)
        self.role = role
        openConsumer = { () throws(KafkaError) in try factory.assignedConsumer(role: role, properties: properties) }
    }

    /// Consumer properties for reads of about `partitionFetchBytes` per partition: brokers answer at
    /// least one whole record batch whatever the limit (KIP-74), so the limit bounds what else comes.
    /// `read_uncommitted` so that an open transaction at the offset does not hold the read back (a
    /// `read_committed` fetch waits for the transaction's end).
    private static func properties(partitionFetchBytes: Int) -> [(String, String)] {
        [
            ("max.partition.fetch.bytes", "\(partitionFetchBytes)"), ("fetch.min.bytes", "1"),
            ("queued.min.messages", "1"), ("enable.partition.eof", "true"), ("auto.offset.reset", "error"),
            ("isolation.level", "read_uncommitted"), ("check.crcs", "false"),
        ]
    }

    /// Hands `found` the first record at or after each offset as soon as it arrives; partitions not
    /// answered within `timeout` (a leader down, say), or before `isCancelled` returns true, fail with
    /// a timeout. The partitions are unassigned before returning. If the consumer cannot be opened,
    /// every partition fails with the reason, and the next read tries again.
    package func read(
        _ offsets: [TopicPartition: Int64], timeout: Duration, isCancelled: () -> Bool = { false },
        found: (TopicPartition, FirstRecord) -> Void
    ) {
        let consumer: Consumer
        do {
            consumer = try openedConsumer()
            try consumer.assign(offsets)
        } catch {
            for partition in offsets.keys { found(partition, .failed(error)) }
            return
        }
        defer { consumer.unassign() }
        var waiting = Set(offsets.keys)
        let deadline = ContinuousClock.now + timeout
        while !waiting.isEmpty && !isCancelled() {
            let remaining = deadline - .now
            guard remaining > .zero else { break }
            guard let (partition, result) = poll(consumer, timeout: min(remaining, .milliseconds(100))),
                  waiting.remove(partition) != nil
            else { continue }
            found(partition, result)
        }
        for partition in waiting { found(partition, .failed(.timedOut("reading the first record"))) }
    }

    /// Serves the consumer's queue for up to `timeout` while nothing is assigned: statistics, logs
    /// and errors are delivered by polling it, and would otherwise pile up between reads. Returns
    /// false at once when no consumer is open.
    package func serveEvents(waitingAtMost timeout: Duration) -> Bool {
        guard case .open(let consumer) = phase.withLock({ $0 }) else { return false }
        _ = poll(consumer, timeout: timeout)
        return true
    }

    /// Destroys the consumer if it was opened (see `Consumer.closeWithoutLeavingGroup`); later reads fail.
    package func close() {
        let closed = phase.withLock { phase in
            defer { phase = .closed }
            return phase
        }
        if case .open(let consumer) = closed { consumer.closeWithoutLeavingGroup() }
    }

    /// The consumer, opened by the first call; `close()` waits for an opening in progress.
    private func openedConsumer() throws(KafkaError) -> Consumer {
        try phase.withLock { (phase) throws(KafkaError) -> Consumer in
            switch phase {
            case .open(let consumer):
                return consumer
            case .closed:
                throw KafkaError.closed(role)
            case .unopened:
                let consumer = try openConsumer()
                phase = .open(consumer)
                return consumer
            }
        }
    }

    /// The next event of one partition; nil after a timeout or for an error of no partition (a broker
    /// connection failing: the partitions it leads then time out).
    private func poll(_ consumer: Consumer, timeout: Duration) -> (TopicPartition, FirstRecord)? {
        try? consumer.client.withHandle { handle in
            guard let message = rd_kafka_consumer_poll(handle, timeout.milliseconds) else { return nil }
            defer { rd_kafka_message_destroy(message) }
            let m = message.pointee
            guard let topic = m.rkt else { return nil }
            let partition = TopicPartition(String(cString: rd_kafka_topic_name(topic)), m.partition)
            switch m.err {
            case RD_KAFKA_RESP_ERR_NO_ERROR:
                return (partition, .record(offset: m.offset, timestamp: Self.timestamp(of: message), bytes: m.len + m.key_len))
            case RD_KAFKA_RESP_ERR__PARTITION_EOF:
                return (partition, .endOfPartition(end: m.offset))
            default:
                return (partition, .failed(KafkaError(m.err)))
            }
        }
    }

    private static func timestamp(of message: UnsafeMutablePointer<rd_kafka_message_t>) -> RecordTimestamp {
        var type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let milliseconds = rd_kafka_message_timestamp(message, &type)
        guard milliseconds >= 0 else { return .none }
        switch type {
        case RD_KAFKA_TIMESTAMP_CREATE_TIME: return .createTime(milliseconds: milliseconds)
        case RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME: return .logAppendTime(milliseconds: milliseconds)
        default: return .none
        }
    }
}
