import Foundation

/// A Tansu broker (a Kafka-compatible broker nobody on this project wrote) with in-memory storage
/// behind the ApiVersions proxy that librdkafka 2.0.2 needs, started by
/// `Tests/python/helpers/run_tansu.py` from the project's `.venv` (see `TestVirtualenv`).
/// Stopped when this object goes away: closing the runner's standard input stops the broker.
package final class TansuBroker {
    package let bootstrapServers: String
    private let runner: Process
    private let runnerInput: Pipe

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
        guard let line = Self.readLine(output.fileHandleForReading), line.hasPrefix("BOOTSTRAP=") else {
            runner.terminate()
            throw Unavailable(description: "run_tansu.py did not print BOOTSTRAP=")
        }
        bootstrapServers = String(line.dropFirst("BOOTSTRAP=".count))
    }

    deinit {
        try? runnerInput.fileHandleForWriting.close()
        runner.waitUntilExit()
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
