import ArgumentParser
import Glibc
import Support

/// The process entry point: parses arguments, runs the command, and maps failures to exit statuses
/// (2 and one line for invalid flags or configuration, 1 for runtime failures).
package enum ExporterCLI {
    package enum Outcome: Equatable {
        case exit(status: Int32, standardOutput: String, standardError: String)
    }

    package static func main() -> Never {
        let outcome = run(Array(CommandLine.arguments.dropFirst()))
        switch outcome {
        case .exit(let status, let standardOutput, let standardError):
            if !standardOutput.isEmpty { print(standardOutput) }
            if !standardError.isEmpty { StandardError.write(standardError + "\n") }
            exit(status)
        }
    }

    /// Parses the arguments as the exporter does, kingpin's spellings included (`KingpinSpelling`).
    package static func parse(_ arguments: [String]) throws -> any ParsableCommand {
        try RootCommand.parseAsRoot(spelling.normalize(arguments))
    }

    private static let spelling = KingpinSpelling(help: RootCommand.helpMessage(includeHidden: true, columns: 10_000))

    /// Parses and runs; the outcome says what to print and how to exit.
    package static func run(_ arguments: [String]) -> Outcome {
        do {
            var command = try parse(arguments)
            try command.run()
            return .exit(status: 0, standardOutput: "", standardError: "")
        } catch let failure as RuntimeFailure {
            return .exit(status: 1, standardOutput: "", standardError: "kafka-exporter: \(failure)")
        } catch let error as ConfigurationError {
            return .exit(status: 2, standardOutput: "", standardError: "kafka-exporter: \(error) (see --help)")
        } catch {
            if RootCommand.exitCode(for: error) == .success {
                return .exit(status: 0, standardOutput: RootCommand.fullMessage(for: error), standardError: "")
            }
            let message = RootCommand.message(for: error).split(separator: "\n").first.map(String.init) ?? "invalid arguments"
            return .exit(status: 2, standardOutput: "", standardError: "kafka-exporter: \(message) (see --help)")
        }
    }
}
