import Foundation
import Testing

/// Item 5's process defects, on the real binary: shutdown does not wait for a cycle blocked in
/// Kafka, a second signal ends the process at once, and a librdkafka error is logged once.
@Suite struct ShutdownAndLoggingTests {
    /// A TCP port that accepts connections (the kernel completes the handshake) but never answers:
    /// every request to it waits for its deadline.
    private final class SilentBroker {
        let port: UInt16
        private let socket: Int32

        init() throws {
            (socket, port) = try Self.listeningSocket()
        }

        deinit { close(socket) }

        /// A loopback socket listening on a free port.
        static func listeningSocket() throws -> (Int32, UInt16) {
            let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) } }
            try #require(listen(socket, 64) == 0)
            _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) } }
            return (socket, UInt16(bigEndian: address.sin_port))
        }
    }

    private func startBlockedInACycle() throws -> (ExporterProcess, SilentBroker) {
        let broker = try SilentBroker()
        let exporter = try ExporterProcess([
            "--kafka.server", "127.0.0.1:\(broker.port)", "--web.listen-address", "127.0.0.1:0", "--collect.timeout", "60s",
        ])
        _ = try exporter.waitUntilStarted()
        // The first cycle starts at once and now waits up to 60 s for the metadata.
        Thread.sleep(forTimeInterval: 0.3)
        return (exporter, broker)
    }

    @Test func shutdownDoesNotWaitForACycleBlockedInKafka() throws {
        let (exporter, broker) = try startBlockedInACycle()
        let signalled = ContinuousClock.now
        exporter.signal(SIGTERM)
        let status = exporter.waitForExit(timeout: .seconds(20))
        let took = ContinuousClock.now - signalled
        #expect(status == 0, "\(exporter.standardError)")
        #expect(took < .seconds(6), "took \(took) with a 60 s --collect.timeout")
        #expect(exporter.standardError.contains("not waiting for the collection cycle in progress"))
        withExtendedLifetime(broker) {}
    }

    @Test(arguments: [SIGINT, SIGTERM])
    func aSecondSignalExitsAtOnce(second: Int32) throws {
        let (exporter, broker) = try startBlockedInACycle()
        exporter.signal(SIGTERM)
        Thread.sleep(forTimeInterval: 0.3)
        let signalled = ContinuousClock.now
        exporter.signal(second)
        let status = exporter.waitForExit(timeout: .seconds(10))
        let took = ContinuousClock.now - signalled
        // The graceful path would exit 0 after the 2 s grace; 128 + signal says the second one ended it.
        #expect(status == 128 + second, "\(exporter.standardError)")
        #expect(took < .seconds(1.5), "took \(took)")
        withExtendedLifetime(broker) {}
    }

    /// Signals are caught before the exporter starts: one sent the moment it says so is not lost.
    @Test func aSignalRightAfterStartIsNotLost() throws {
        let exporter = try ExporterProcess(["--kafka.server", "127.0.0.1:1", "--web.listen-address", "127.0.0.1:0"])
        _ = try exporter.waitUntilStarted()
        exporter.signal(SIGTERM)
        #expect(exporter.waitForExit(timeout: .seconds(10)) == 0, "\(exporter.standardError)")
    }

    @Test func eachLibrdkafkaErrorIsLoggedOnce() throws {
        // A port nobody listens on: every connection attempt is refused.
        let (socket, port) = try SilentBroker.listeningSocket()
        close(socket)
        let exporter = try ExporterProcess(["--kafka.server", "127.0.0.1:\(port)", "--web.listen-address", "127.0.0.1:0"])
        _ = try exporter.waitUntilStarted()
        let deadline = ContinuousClock.now + .seconds(10)
        var refusals: [String] = []
        while ContinuousClock.now < deadline && refusals.count < 2 {
            Thread.sleep(forTimeInterval: 0.2)
            refusals = exporter.standardError.split(separator: "\n").compactMap { line in
                // Each client logs its own; without groups only the cluster handle connects.
                line.firstMatch(of: /client=\S+ error="[^"]*Connect to [^"]*Connection refused[^"]*/).map { String($0.0) }
            }
        }
        exporter.signal(SIGTERM)
        _ = exporter.waitForExit(timeout: .seconds(10))
        try #require(!refusals.isEmpty, "no refusal logged: \(exporter.standardError)")
        // librdkafka words each attempt differently ("after Nms", "N identical error(s) suppressed").
        #expect(Set(refusals).count == refusals.count, "logged twice: \(refusals)")
    }
}
