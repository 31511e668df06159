import Foundation
import Support
import Kafka
import Synchronization

/// A real group member: subscribes, polls on a thread of its own, and commits after each message
/// until it has consumed `limit` messages; it stays in the group until stopped.
package final class LiveConsumer: Sendable {
    private let consumer: Consumer
    private let limit: Int
    private let consumed = Atomic<Int>(0)
    private let loop = BackgroundLoop(name: "live-consumer")

    package init(bootstrap: String, group: String, topics: [String], limit: Int = .max) throws {
        consumer = try Consumer(configuration: ClientConfiguration([
            ("bootstrap.servers", bootstrap), ("group.id", group), ("auto.offset.reset", "earliest"),
            ("enable.auto.commit", "false"), ("session.timeout.ms", "6000"), ("heartbeat.interval.ms", "500"),
        ]))
        self.limit = limit
        try consumer.subscribe(topics)
        loop.start(finish: consumer.close) { [self] in
            // Past the limit it keeps polling, to stay a live member, but commits nothing more.
            if let message = try? consumer.poll(timeout: .milliseconds(100)), consumed.load(ordering: .relaxed) < limit {
                try? consumer.commit([message.topicPartition: message.offset + 1])
                consumed.add(1, ordering: .relaxed)
            }
            return .zero
        }
    }

    package var count: Int { consumed.load(ordering: .relaxed) }

    /// Leaves the group and closes the consumer.
    package func stop() {
        loop.stop()
    }

    /// Waits until `count` messages were consumed and committed, or `timeout` passes.
    package func waitForCount(_ count: Int, timeout: Duration = .seconds(30)) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if self.count >= count { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return false
    }
}
