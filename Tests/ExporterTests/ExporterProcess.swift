import Foundation
import Testing
import Support

/// The real `kafka-exporter` binary in a process of its own, as a user or a chart starts it; its
/// log is collected as it arrives. Killed when the value goes away.
///
/// `KAFKA_EXPORTER_BIN` names another binary than the one built next to the tests, and
/// `KAFKA_EXPORTER_UNDER` a command to run it under (`make test-memory` runs some suites with the
/// stripped release binary under valgrind memcheck).
final class ExporterProcess {
    private let process = Process()
    private let log = LogBuffer()

    static var binary: String {
        get throws {
            let path = ProcessInfo.processInfo.environment["KAFKA_EXPORTER_BIN"]
                ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("kafka-exporter").path
            try #require(FileManager.default.isExecutableFile(atPath: path), "build the binary first (`make test` does): \(path)")
            return path
        }
    }

    /// The command the binary runs under, if any.
    static let wrapper = ProcessInfo.processInfo.environment["KAFKA_EXPORTER_UNDER"].map { $0.split(separator: " ").map(String.init) } ?? []

    /// How much longer than natively everything takes: valgrind runs the exporter some 20 times slower.
    static var slowdown: Int { wrapper.isEmpty ? 1 : 10 }

    init(_ arguments: [String]) throws {
        let command = Self.wrapper + [try Self.binary] + arguments
        process.executableURL = URL(fileURLWithPath: Self.wrapper.isEmpty ? command[0] : try Self.executable(command[0]))
        process.arguments = Array(command.dropFirst())
        let output = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = output
        try process.run()
        // A thread reads until the pipe ends, not a readabilityHandler: that handler's dispatch source
        // was never cancelled, and the descriptor it watched was closed when the FileHandle went away,
        // after which another socket or pipe could get its number under libdispatch's event loop (the
        // likely cause of a crash seen in _dispatch_event_loop_drain).
        let reading = output.fileHandleForReading
        Thread { [log] in
            while case let data = reading.availableData, !data.isEmpty { log.append(data) }
        }.start()
    }

    /// `name` as a path, looked up in PATH when it has no slash.
    private static func executable(_ name: String) throws -> String {
        guard !name.contains("/") else { return name }
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        let found = directories.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
        return try #require(found, "\(name) is not in PATH")
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Everything it has logged so far.
    var standardError: String { log.text }

    /// Waits for the "kafka-exporter started" line and returns the HTTP port it names.
    func waitUntilStarted(timeout: Duration = .seconds(30 * ExporterProcess.slowdown)) throws -> UInt16 {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let line = standardError.split(separator: "\n").first(where: { $0.contains("msg=\"kafka-exporter started\"") }),
               let port = line.firstMatch(of: /\sport=(\d+)/).flatMap({ UInt16($0.1) }) {
                return port
            }
            try #require(process.isRunning, "exited with \(process.terminationStatus): \(standardError)")
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw ExporterProcessError(description: "not started after \(timeout): \(standardError)")
    }

    func signal(_ number: Int32) {
        kill(process.processIdentifier, number)
    }

    /// The exit status, or nil if it is still running after `timeout`.
    func waitForExit(timeout: Duration) -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.02) }
        return process.isRunning ? nil : process.terminationStatus
    }
}

private final class LogBuffer: Sendable {
    private let data = Locked(Data())

    func append(_ bytes: Data) {
        data.withLock { $0.append(bytes) }
    }

    var text: String { data.withLock { String(decoding: $0, as: UTF8.self) } }
}

struct ExporterProcessError: Error, CustomStringConvertible {
    let description: String
}
