/// What a librdkafka handle reports back, delivered on librdkafka's or the poller's threads.
public struct ClientCallbacks: Sendable {
    /// The statistics JSON document emitted every `statistics.interval.ms`.
    public var statistics: (@Sendable (_ clientName: String, _ json: [UInt8]) -> Void)?
    /// librdkafka log lines with their syslog level (0 emergency ... 7 debug).
    public var log: (@Sendable (_ level: Int32, _ facility: String, _ message: String) -> Void)?
    /// Errors librdkafka reports outside any request (e.g. all brokers down).
    public var error: (@Sendable (KafkaError) -> Void)?
    /// Producer delivery reports.
    public var delivery: (@Sendable (DeliveryReport) -> Void)?

    public init(
        statistics: (@Sendable (String, [UInt8]) -> Void)? = nil,
        log: (@Sendable (Int32, String, String) -> Void)? = nil,
        error: (@Sendable (KafkaError) -> Void)? = nil,
        delivery: (@Sendable (DeliveryReport) -> Void)? = nil
    ) {
        self.statistics = statistics
        self.log = log
        self.error = error
        self.delivery = delivery
    }
}

public struct DeliveryReport: Sendable {
    public let topicPartition: TopicPartition
    public let offset: Int64
    public let error: KafkaError?
}

/// Heap box handed to librdkafka as the handle's opaque pointer.
final class CallbackBox: Sendable {
    let callbacks: ClientCallbacks
    init(_ callbacks: ClientCallbacks) { self.callbacks = callbacks }
}
