import Foundation

/// A Tansu broker (a Kafka-compatible broker nobody on this project wrote) with in-memory storage
/// behind the ApiVersions proxy that librdkafka 2.0.2 needs, started by
/// `Tests/python/helpers/run_tansu.py` from the project's `.venv` (see `TestVirtualenv`).
/// Stopped when this object goes away: closing the runner's standard input stops the broker.
package final class TansuBroker {
    package let bootstrapServers: String
    private let runner: Process
    private let runnerInput: Pipe
    private let runnerOutput: FileHandle

    package struct Unavailable: Error, CustomStringConvertible {
        package let description: String
    }

    package init() throws {
        guard TestVirtualenv.isInstalled else {
            throw Unavailable(description: "no Tansu in \(TestVirtualenv.bin.path); run `make test-deps`")
        }
        runner = Process()
        runner.executableURL = TestVirtualenv.python3
        runner.arguments = [Repository.root.appendingPathComponent("Tests/python/helpers/run_tansu.py").path]
        runnerInput = Pipe()
        let output = Pipe()
        runner.standardInput = runnerInput
        runner.standardOutput = output
        runner.standardError = FileHandle.nullDevice
        try runner.run()
        runnerOutput = output.fileHandleForReading
        guard let line = Self.readLine(runnerOutput), line.hasPrefix("BOOTSTRAP=") else {
            runner.terminate()
            throw Unavailable(description: "run_tansu.py did not print BOOTSTRAP=")
        }
        bootstrapServers = String(line.dropFirst("BOOTSTRAP=".count))
    }

    deinit {
        try? runnerInput.fileHandleForWriting.close()
        runner.waitUntilExit()
    }

    /// Stops the broker: connections to `bootstrapServers` are refused until `restart()`.
    package func stop() throws {
        try command("stop", answer: "STOPPED")
    }

    /// Starts the broker again on the same address. Its storage is in memory, so it comes back empty,
    /// like a broker that lost its disk: topics must be created again.
    package func restart() throws {
        try command("start", answer: "STARTED")
    }

    private func command(_ command: String, answer: String) throws {
        try runnerInput.fileHandleForWriting.write(contentsOf: Data("\(command)\n".utf8))
        let line = Self.readLine(runnerOutput)
        guard line == answer else {
            throw Unavailable(description: "run_tansu.py answered \(line ?? "nothing") to \(command), not \(answer)")
        }
    }

    /// `tansu topic create` with Tansu's own CLI.
    package func createTopic(_ name: String, partitions: Int) throws {
        try tansu(["topic", "create", name, "--broker", "tcp://\(bootstrapServers)", "--partitions", String(partitions)])
    }

    package func deleteTopic(_ name: String) throws {
        try tansu(["topic", "delete", name, "--broker", "tcp://\(bootstrapServers)"])
    }

    private func tansu(_ arguments: [String]) throws {
        let result = try Subprocess.run([TestVirtualenv.tansu.path] + arguments)
        guard result.status == 0 else {
            throw Unavailable(description: "tansu \(arguments.joined(separator: " ")) failed: \(result.standardError)")
        }
    }

    private static func readLine(_ handle: FileHandle) -> String? {
        var bytes: [UInt8] = []
        while true {
            let chunk = handle.readData(ofLength: 1)
            guard let byte = chunk.first else { return nil }
            if byte == UInt8(ascii: "\n") { return String(decoding: bytes, as: UTF8.self) }
            bytes.append(byte)
        }
    }
}
