import Kafka
import Logging
import Support

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
    private let loop: BackgroundLoop

    init(_ component: DemoComponent) {
        self.component = component
        loop = BackgroundLoop(name: component.name)
    }

    func start() {
        loop.start(finish: component.finish) { [component] in
            component.step()
            return .zero
        }
    }

    func stop() {
        loop.stop()
    }
}

/// How every demo client connects and reports: bootstrap servers, callbacks (logs at debug level,
/// statistics to the exporter when wired), and the statistics interval.
struct DemoClients: Sendable {
    let bootstrap: String
    let callbacks: ClientCallbacks
    /// 0 disables librdkafka statistics.
    let statisticsIntervalMilliseconds: Int

    init(bootstrap: String, logger: Logger, statistics: (@Sendable (String, [UInt8]) -> Void)?, statisticsInterval: Duration) {
        self.bootstrap = bootstrap
        var callbacks = ClientCallbacks(log: { _, facility, message in
            // The demo clients' librdkafka logs are the demo's plumbing, not what it shows.
            logger.debug("\(message)", metadata: ["facility": "\(facility)"])
        })
        callbacks.statistics = statistics
        self.callbacks = callbacks
        statisticsIntervalMilliseconds = statistics == nil ? 0 : max(1, Int((statisticsInterval / .milliseconds(1)).rounded()))
    }

    func configuration(clientID: String, _ extra: [(String, String)] = []) -> ClientConfiguration {
        ClientConfiguration([
            ("bootstrap.servers", bootstrap), ("client.id", clientID), ("log.connection.close", "false"),
            ("statistics.interval.ms", "\(statisticsIntervalMilliseconds)"),
        ] + extra)
    }

    func consumerConfiguration(group: String) -> ClientConfiguration {
        configuration(clientID: group, [
            ("group.id", group), ("auto.offset.reset", "earliest"),
            ("enable.auto.commit", "true"), ("auto.commit.interval.ms", "1000"),
        ])
    }
}
