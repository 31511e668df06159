/// Burrow's status codes, for consumer groups (NOTFOUND, OK, WARN, ERR) and their partitions
/// (OK, WARN, STOP, STALL, REWIND). The rules are in docs/group-status.md.
package enum ConsumerStatus: String, Sendable, Codable, CaseIterable {
    case notFound = "NOTFOUND", ok = "OK", warn = "WARN", error = "ERR"
    /// Partitions only.
    case stop = "STOP", stall = "STALL", rewind = "REWIND"

    /// The status a value of `kafka_consumergroup_status` or `kafka_consumergroup_partition_status` stands for.
    package init?(code: Int) {
        guard let status = Self.allCases.first(where: { $0.code == code }) else { return nil }
        self = status
    }

    /// The value of `kafka_consumergroup_status` and `kafka_consumergroup_partition_status`.
    package var code: Int {
        switch self {
        case .notFound: 0
        case .ok: 1
        case .warn: 2
        case .error: 3
        case .stop: 4
        case .stall: 5
        case .rewind: 6
        }
    }

    /// The statuses a group takes, and those its partitions take.
    package static let groupStatuses: [ConsumerStatus] = [.notFound, .ok, .warn, .error]
    package static let partitionStatuses: [ConsumerStatus] = [.ok, .warn, .stop, .stall, .rewind]

    /// "0 NOTFOUND, 1 OK, ...": the values a status family takes, for its HELP.
    package static func legend(_ statuses: [ConsumerStatus]) -> String {
        statuses.map { "\($0.code) \($0.rawValue)" }.joined(separator: ", ")
    }

    /// A group's status from its partitions': ERR if any partition is STOP, STALL or REWIND, else WARN
    /// if any is WARN, else OK; NOTFOUND when no partition could be evaluated.
    package static func group(of partitions: some Sequence<ConsumerStatus>) -> ConsumerStatus {
        var status = ConsumerStatus.notFound
        for partition in partitions {
            switch partition {
            case .stop, .stall, .rewind, .error: return .error
            case .warn: status = .warn
            case .ok where status == .notFound: status = .ok
            case .ok, .notFound: break
            }
        }
        return status
    }
}
