import Foundation

/// Runs Debian's `promtool check metrics` (installed by `make test-deps`) on an exposition.
package enum Promtool {
    package static var isInstalled: Bool { Subprocess.isOnPath("promtool") }

    /// The lint findings accepted on purpose: kafka_exporter's gauge names ending in `_sum` are a
    /// compatibility contract that dashboards and alerts in the wild depend on.
    package static let acceptedLintFindings: Set<String> = [
        "kafka_consumergroup_current_offset_sum non-histogram and non-summary metrics should not have \"_sum\" suffix",
        "kafka_consumergroup_lag_sum non-histogram and non-summary metrics should not have \"_sum\" suffix",
    ]

    package struct Result {
        package let status: Int32
        package let output: String

        /// Lint findings other than the accepted ones.
        package var unexpectedFindings: [String] {
            output.split(separator: "\n").map(String.init).filter { !$0.isEmpty && !Promtool.acceptedLintFindings.contains($0) }
        }

        /// Parsed (status 0, or 3 for lint findings only) with nothing but the accepted findings.
        package var passes: Bool {
            (status == 0 || status == 3) && unexpectedFindings.isEmpty
        }
    }

    /// What promtool 2.42 (Debian 12) reports for a correct OpenMetrics exposition: it lints with the
    /// text-format parser, where a counter's samples end in `_total` while OpenMetrics' HELP names the
    /// family without it, so each counter family gets "<family>_total no help text".
    package static func openMetricsCounterFindings(_ exposition: String) -> Set<String> {
        Set(exposition.split(separator: "\n").compactMap { line in
            let words = line.split(separator: " ")
            guard words.count == 4, words[0] == "#", words[1] == "TYPE", words[3] == "counter" else { return nil }
            return "\(words[2])_total no help text"
        })
    }

    package static func checkMetrics(_ exposition: String) throws -> Result {
        let result = try Subprocess.run(["promtool", "check", "metrics"], input: Array(exposition.utf8))
        return Result(status: result.status, output: result.standardOutput + result.standardError)
    }
}
