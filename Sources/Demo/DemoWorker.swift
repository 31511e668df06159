import Foundation
import Kafka
import Logging

/// A demo component: its state is touched only from the thread of its `DemoWorker`.
protocol DemoComponent: AnyObject, Sendable {
    var name: String { get }
    /// One pass of the loop; called repeatedly until the worker stops.
    func step()
    /// Called once after the loop ends.
    func finish()
}

/// Runs a component's loop on a thread of its own until stopped.
final class DemoWorker: Sendable {
    private let component: DemoComponent
    private let stopFlag = StopFlag()
    private let finished = DispatchSemaphore(value: 0)

    init(_ component: DemoComponent) {
        self.component = component
    }

    func start() {
        let thread = Thread { [component, stopFlag, finished] in
            while !stopFlag.isRaised { component.step() }
            component.finish()
            finished.signal()
        }
        thread.name = component.name
        thread.start()
    }

    func stop() {
        stopFlag.raise()
        finished.wait()
    }
}

extension ClientConfiguration {
    static func demo(bootstrap: String, clientID: String, _ extra: [(String, String)] = []) -> ClientConfiguration {
        ClientConfiguration([("bootstrap.servers", bootstrap), ("client.id", clientID), ("log.connection.close", "false")] + extra)
    }

    static func demoConsumer(bootstrap: String, group: String) -> ClientConfiguration {
        demo(bootstrap: bootstrap, clientID: group, [
            ("group.id", group), ("auto.offset.reset", "earliest"),
            ("enable.auto.commit", "true"), ("auto.commit.interval.ms", "1000"),
        ])
    }
}

extension ClientCallbacks {
    /// Demo clients' librdkafka logs go to the exporter's logger at debug level: they are the demo's
    /// plumbing, not what the demo shows.
    static func demo(_ logger: Logger) -> ClientCallbacks {
        ClientCallbacks(log: { _, facility, message in
            logger.debug("\(message)", metadata: ["facility": "\(facility)"])
        })
    }
}
