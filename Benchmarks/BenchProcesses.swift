import Exposition
import Foundation
import Support

/// A program the peer benchmark starts and watches through /proc: its CPU time, its peak resident
/// size, the lines it prints.
final class WatchedProcess: Sendable {
    private let process = Process()
    private let lines = Locked<[String]>([])

    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let reader = output.fileHandleForReading
        Thread.detachNewThread { [self] in
            var pending = ""
            while case let data = reader.availableData, !data.isEmpty {
                pending += String(decoding: data, as: UTF8.self)
                while let newline = pending.firstIndex(of: "\n") {
                    let line = String(pending[..<newline])
                    pending = String(pending[pending.index(after: newline)...])
                    self.lines.withLock { $0.append(line) }
                }
            }
        }
    }

    var pid: Int32 { process.processIdentifier }

    /// User + system CPU seconds so far.
    var cpuSeconds: Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let afterName = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(after: afterName)...].split(separator: " ")
        // Fields 14 and 15 of /proc/PID/stat (utime, stime); the first field after the name is field 3.
        return ((Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Peak resident size (VmHWM) in MB.
    var peakResidentMB: Double {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
        return (Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
    }

    /// Resident MB per mapped file (by name) and per kind of anonymous memory ([heap], [stack], [anon]:
    /// thread stacks and other mmaps), largest first, from /proc/PID/smaps; and the thread count.
    var residentByMapping: (mappings: [(name: String, megabytes: Double)], threads: Int) {
        // Read to the end: String(contentsOfFile:) stops after the first 4 KiB of a /proc file.
        let smaps = FileHandle(forReadingAtPath: "/proc/\(pid)/smaps").map { String(decoding: $0.readDataToEndOfFile(), as: UTF8.self) } ?? ""
        var kilobytes: [String: Int] = [:]
        var current = "[anon]"
        for line in smaps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.first?.contains("-") == true, fields.count >= 5 {
                current = fields.count > 5 ? String(fields[5...].joined(separator: " ").split(separator: "/").last ?? "") : "[anon]"
            } else if fields.first == "Rss:", fields.count > 1 {
                kilobytes[current, default: 0] += Int(fields[1]) ?? 0
            }
        }
        let threads = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task").count) ?? 0
        return (kilobytes.map { ($0.key, Double($0.value) / 1024) }.sorted { $0.megabytes > $1.megabytes }, threads)
    }

    var printed: [String] { lines.withLock { $0 } }

    /// Waits for a line starting with `prefix`, up to `timeout`.
    func waitForLine(_ prefix: String, after count: Int = 0, timeout: Duration) -> String? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline && process.isRunning {
            if let line = printed.dropFirst(count).first(where: { $0.hasPrefix(prefix) }) { return line }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return nil
    }

    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }
}

/// The peer kit's mock cluster launcher (`mockkafka`): librdkafka 2.0.2's mock cluster of 3 brokers
/// with topics of 10 partitions holding 3 messages each, counting the Kafka requests it receives.
final class CountingMockCluster {
    let process: WatchedProcess
    let bootstrap: String

    init(launcher: String, partitions: Int) throws {
        process = try WatchedProcess([launcher, "\(partitions)", "10", "3", "3"], environment: ["MOCK_COUNT_REQUESTS": "1"])
        guard let line = process.waitForLine("BOOTSTRAP", timeout: .seconds(3600)),
              process.waitForLine("READY", timeout: .seconds(60)) != nil
        else { process.stop(); throw BenchmarkFailure("mock cluster of \(partitions) partitions did not start") }
        bootstrap = String(line.dropFirst("BOOTSTRAP ".count))
    }

    /// Kafka requests the brokers received since setup.
    func requests() -> Int {
        let seen = process.printed.count
        kill(process.pid, SIGUSR1)
        guard let line = process.waitForLine("REQS", after: seen, timeout: .seconds(10)),
              let total = line.split(separator: " ").first(where: { $0.hasPrefix("total=") })
        else { return 0 }
        return Int(total.dropFirst("total=".count)) ?? 0
    }

    func stop() { process.stop() }
}

struct BenchmarkFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// One scrape the way Prometheus asks (OpenMetrics preferred, gzip), timed by curl.
struct Scrape {
    let seconds: Double
    let compressedBytes: Int
    let body: [UInt8]

    static let prometheusAccept =
        "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"

    static func fetch(port: Int) throws -> Scrape {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("peer-bench-\(getpid())-\(port).body")
        defer { try? FileManager.default.removeItem(at: file) }
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        curl.arguments = ["-s", "-m", "300", "-o", file.path, "-w", "%{time_total} %{http_code}",
                          "-H", "Accept: \(prometheusAccept)", "-H", "Accept-Encoding: gzip", "http://127.0.0.1:\(port)/metrics"]
        let output = Pipe()
        curl.standardOutput = output
        try curl.run()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: " ")
        curl.waitUntilExit()
        guard printed.count == 2, printed[1] == "200", let seconds = Double(printed[0]) else {
            throw BenchmarkFailure("scrape of port \(port) failed: \(printed)")
        }
        let raw = [UInt8]((try? Data(contentsOf: file)) ?? Data())
        return Scrape(seconds: seconds, compressedBytes: raw.count, body: Gzip.decompress(raw) ?? raw)
    }

    /// Sample lines (every line that is not a comment).
    var series: Int {
        body.split(separator: UInt8(ascii: "\n")).filter { $0.first != UInt8(ascii: "#") }.count
    }

    func value(_ name: String) -> Double? {
        let prefix = Array((name + " ").utf8)
        return body.split(separator: UInt8(ascii: "\n")).first { $0.starts(with: prefix) }
            .flatMap { Double(String(decoding: $0.dropFirst(prefix.count), as: UTF8.self)) }
    }
}

/// A free loopback port for an exporter.
func freePort() -> Int {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 ? getsockname(descriptor, $0, &length) : -1 }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}
