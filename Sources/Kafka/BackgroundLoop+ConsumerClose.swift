import Logging
import Support

extension BackgroundLoop {
    /// How long stopping a reader waits for its consumer to close: librdkafka 2.0.x can wait forever to
    /// destroy a consumer whose partitions went away or whose broker restarted
    /// (confluentinc/librdkafka#4674, fixed in 2.6); shutdown must not.
    package static let consumerCloseLimit = Duration.seconds(10)

    /// Stops a loop whose `finish` closes a consumer, waiting at most `consumerCloseLimit`; a consumer
    /// still closing then is logged and left to finish in the background. Returns whether it closed in time.
    @discardableResult
    package func stop(closingConsumerOf reader: String, logger: Logger) -> Bool {
        guard !stop(waitingAtMost: Self.consumerCloseLimit) else { return true }
        logger.warning(
            "\(reader)'s consumer did not close within \(Int(Self.consumerCloseLimit.seconds)) s; left to finish in the background (librdkafka#4674)")
        return false
    }
}
