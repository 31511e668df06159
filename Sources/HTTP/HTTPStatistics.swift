import Exposition
import Support

/// Counts what the server answered and the requests that ended without an answer (malformed,
/// timed out, aborted), for the exporter's own health families.
package final class HTTPStatistics: Sendable {
    private struct Counts {
        var responses: [Int: Int] = [:]
        var failures: [String: Int] = [:]
    }

    private let counts = Locked(Counts())

    package init() {}

    func recordResponse(status: Int) {
        counts.withLock { $0.responses[status, default: 0] += 1 }
    }

    func recordFailure(_ reason: String) {
        counts.withLock { $0.failures[reason, default: 0] += 1 }
    }

    package func failures(_ reason: String) -> Int {
        counts.withLock { $0.failures[reason] ?? 0 }
    }

    package func responses(status: Int) -> Int {
        counts.withLock { $0.responses[status] ?? 0 }
    }

    package static let declaredFamilies = [responses, failures]

    private static let responses = MetricFamily(
        name: "kafka_exporter_http_responses_total", help: "HTTP responses by status code.", type: .counter, labelNames: ["code"])
    private static let failures = MetricFamily(
        name: "kafka_exporter_http_requests_failed_total",
        help: "HTTP requests that failed: protocol_error (malformed, refused by the server), error, timeout (request not complete within --web.request-timeout), read_error, client_abort, connection_limit and peer_connection_limit (connection refused at --web.max-connections or --web.max-connections-per-ip, every connection within the limit being answered), evicted (the connection waiting longest for a request, closed to make room at either limit).",
        type: .counter, labelNames: ["reason"])

    package func families() -> [MetricFamily] {
        let counts = self.counts.withLock { $0 }
        var responses = Self.responses
        for code in counts.responses.keys.sorted() {
            responses.add(String(code), Double(counts.responses[code]!))
        }
        var failures = Self.failures
        for reason in HTTPStatistics.failureReasons {
            failures.add(reason, Double(counts.failures[reason] ?? 0))
        }
        return [responses, failures]
    }

    static let failureReasons = ["protocol_error", "error", "timeout", "read_error", "client_abort", "connection_limit", "peer_connection_limit", "evicted"]
}
