import CRdKafka

/// An `rd_kafka_topic_t`, which keeps the handle it was made from alive until it is destroyed.
final class TopicHandle: @unchecked Sendable {
    private let handle: KafkaHandle
    private let pointer: OpaquePointer

    init(_ handle: KafkaHandle, name: String) throws(KafkaError) {
        guard let pointer = handle.use({ rd_kafka_topic_new($0, name, nil) }) else {
            throw KafkaError(rd_kafka_last_error(), "topic \(name)")
        }
        self.handle = handle
        self.pointer = pointer
    }

    deinit {
        rd_kafka_topic_destroy(pointer)
    }

    /// Runs `body` with the topic's pointer, which lives until `body` returns.
    func use<Result, Failure>(_ body: (OpaquePointer) throws(Failure) -> Result) throws(Failure) -> Result {
        try body(pointer)
    }
}
