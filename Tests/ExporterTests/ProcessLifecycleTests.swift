import Foundation
import Testing
import TestSupport

/// The real binary, as a user runs it.
@Suite(.serialized) struct ProcessLifecycleTests {
    private var binary: String {
        get throws {
            let path = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("kafka-exporter").path
            try #require(FileManager.default.isExecutableFile(atPath: path), "build the binary first (`make test` does): \(path)")
            return path
        }
    }

    @Test func theDemoServesMetricsAndStopsCleanlyOnInterrupt() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try binary)
        process.arguments = ["demo", "--web.listen-address", "127.0.0.1:0", "--collect.interval", "500ms", "--log.level", "error"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        let banner = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        let port = try #require(banner.firstMatch(of: /http:\/\/127\.0\.0\.1:(\d+)\/metrics/).flatMap { UInt16($0.1) }, "banner: \(banner)")
        #expect(banner.contains("_rawdata") && banner.contains("Ctrl-C"))
        var lag: Double?
        for _ in 0..<100 where lag == nil {
            Thread.sleep(forTimeInterval: 0.2)
            lag = ExpositionSamples(try HTTPTestClient.get(port: port, "/metrics").text)
                .value("kafka_consumergroup_lag_sum", ["consumergroup": "router", "topic": "_rawdata"])
        }
        #expect(lag != nil, "the demo's router group never showed up")

        kill(process.processIdentifier, SIGINT)
        let deadline = Date().addingTimeInterval(20)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        #expect(!process.isRunning, "still running 20 s after SIGINT")
        #expect(process.terminationStatus == 0)
    }

    @Test func aTakenPortIsARuntimeFailureWithStatusOne() throws {
        let blocker = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(blocker) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(blocker, $0, length) } }
        _ = listen(blocker, 1)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(blocker, $0, &length) } }
        let port = UInt16(bigEndian: address.sin_port)

        // At the default log level a Kafka client that started would log its failed connection to 127.0.0.1:1.
        let result = try Subprocess.run([try binary, "--kafka.server", "127.0.0.1:1", "--web.listen-address", "127.0.0.1:\(port)"])
        #expect(result.status == 1)
        #expect(
            result.standardError == "kafka-exporter: cannot listen on 127.0.0.1:\(port): Address already in use\n",
            "one line naming the address, before any Kafka client starts; got \(result.standardError)")
    }
}
