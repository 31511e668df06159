/// What a librdkafka handle reports back, delivered on librdkafka's or the poller's threads.
package struct ClientCallbacks: Sendable {
    /// The statistics JSON document emitted every `statistics.interval.ms`.
    package var statistics: (@Sendable (_ clientName: String, _ json: [UInt8]) -> Void)?
    /// librdkafka log lines with their syslog level (0 emergency ... 7 debug).
    package var log: (@Sendable (_ level: Int32, _ facility: String, _ message: String) -> Void)?
    /// Errors librdkafka reports outside any request (e.g. all brokers down).
    package var error: (@Sendable (KafkaError) -> Void)?
    /// Producer delivery reports.
    package var delivery: (@Sendable (DeliveryReport) -> Void)?

    package init(
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

package struct DeliveryReport: Sendable {
    package let topicPartition: TopicPartition
    package let offset: Int64
    package let error: KafkaError?
    /// The token the message was produced with (`Producer.produce(token:)`).
    package let token: UInt
}

/// Heap box handed to librdkafka as the handle's opaque pointer.
final class CallbackBox: Sendable {
    let callbacks: ClientCallbacks
    init(_ callbacks: ClientCallbacks) { self.callbacks = callbacks }
}
