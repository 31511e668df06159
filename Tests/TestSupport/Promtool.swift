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

    package static func checkMetrics(_ exposition: String) throws -> Result {
        let result = try Subprocess.run(["promtool", "check", "metrics"], input: Array(exposition.utf8))
        return Result(status: result.status, output: result.standardOutput + result.standardError)
    }
}
