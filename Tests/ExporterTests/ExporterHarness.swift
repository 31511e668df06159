import Cluster
import Exporter
import Foundation
import HTTP
import Kafka
import Logging
import Testing
import TestSupport

/// An exporter on a random loopback port, stopped when the harness goes away.
final class ExporterHarness {
    let exporter: Exporter

    /// `arguments` are the exporter's flags, as a user would pass them; `customize` changes what no
    /// flag reaches.
    init(bootstrap: String, arguments: [String] = [], interval: String = "200ms", logger: Logger = LogSettings(level: .error).makeLogger(),
         customize: (inout ExporterConfiguration) -> Void = { _ in }) throws {
        let options = try ExporterOptions.parse([
            "--kafka.server", bootstrap, "--web.listen-address", "127.0.0.1:0", "--collect.interval", interval,
            "--collect.timeout", "2s", "--no-group.discovery",
        ] + arguments)
        var configuration = try options.makeConfiguration()
        configuration.collection.describeGroups = false
        customize(&configuration)
        exporter = try Exporter(configuration: configuration, logger: logger)
        exporter.start()
    }

    deinit {
        exporter.stop()
    }

    var port: UInt16 { exporter.port }

    func metrics(headers: [String: String] = [:]) throws -> String {
        let response = try HTTPTestClient.get(port: port, "/metrics", headers: headers)
        #expect(response.status == 200)
        return response.text
    }

    /// Polls /metrics until `condition` holds, or fails after `timeout`.
    @discardableResult
    func waitForMetrics(timeout: Duration = .seconds(20), _ what: String, until condition: (ExpositionSamples) -> Bool) throws -> ExpositionSamples {
        let deadline = ContinuousClock.now + timeout
        var last = ExpositionSamples("")
        while ContinuousClock.now < deadline {
            last = ExpositionSamples(try metrics())
            if condition(last) { return last }
            Thread.sleep(forTimeInterval: 0.1)
        }
        Issue.record("timed out waiting for \(what)")
        return last
    }

    /// Waits for `count` more collection cycles than have run so far.
    func waitForCycles(_ count: Int) throws -> ExpositionSamples {
        let start = ExpositionSamples(try metrics()).value("kafka_exporter_collect_cycles_total") ?? 0
        return try waitForMetrics("\(count) more cycles") { ($0.value("kafka_exporter_collect_cycles_total") ?? 0) >= start + Double(count) }
    }
}

/// Produces `counts[i]` messages into partition i of `topic` and waits for delivery.
func produce(_ counts: [Int], to topic: String, bootstrap: String) throws {
    let producer = try Producer(configuration: ClientConfiguration([("bootstrap.servers", bootstrap)]))
    for (partition, count) in counts.enumerated() {
        for index in 0..<count {
            try producer.produce(topic: topic, partition: Int32(partition), value: Array("message \(index)".utf8))
        }
    }
    try producer.flush(timeout: .seconds(10))
}

/// Commits `offsets` for `group` like a consumer that processed up to them.
func commit(_ offsets: [TopicPartition: Int64], group: String, bootstrap: String) throws {
    let consumer = try Consumer(configuration: ClientConfiguration([("bootstrap.servers", bootstrap), ("group.id", group)]))
    defer { consumer.close() }
    try consumer.commit(offsets)
}
