import Cluster

/// A consumer group's status in words, from its partitions that are not OK
/// (`kafka_consumergroup_partition_status`, `ConsumerStatus`; docs/group-status.md).
enum GroupReasons {
    static func statusName(_ code: Double?) -> String {
        code.flatMap { ConsumerStatus(code: Int($0)) }.map(\.rawValue) ?? "unknown"
    }

    /// Partitions per topic with a status, for one group.
    typealias Troubles = [(topic: String, status: ConsumerStatus, partitions: Int)]

    /// Per group, from the partition statuses other than OK; worst code first.
    static func troubles(_ table: Readings.Table) -> [String: Troubles] {
        var byGroup: [String: Troubles] = [:]
        for (key, count) in table where key.count == 3 {
            guard let status = Int(key[2]).flatMap(ConsumerStatus.init(code:)) else { continue }
            byGroup[key[0], default: []].append((key[1], status, Int(count)))
        }
        return byGroup.mapValues { $0.sorted { ($0.status.code, $1.topic) > ($1.status.code, $0.topic) } }
    }

    static func reason(status: String, lag: Double?, troubles: Troubles) -> Phrase {
        let parts = troubles.compactMap { trouble -> Phrase? in
            guard let what = meaning[trouble.status] else { return nil }
            let partitions = trouble.partitions == 1 ? "1 partition" : "\(trouble.partitions) partitions"
            return "\(partitions) of \(name: trouble.topic) \(what)"
        }
        if !parts.isEmpty {
            return parts.dropFirst().reduce(parts[0]) { "\($0); \($1)" }
        }
        switch ConsumerStatus(rawValue: status) {
        case .ok: return lag == 0 ? "caught up" : "consuming"
        case .notFound: return "no commit on a partition whose newest offset is known"
        default: return ""
        }
    }

    private static let meaning: [ConsumerStatus: Phrase] = [
        .warn: "WARN: lag grew and never fell during the status window",
        .stop: "STOP: messages wait, no commit for the status window and no live member owns them",
        .stall: "STALL: a live member owns them but has not committed for the status window",
        .rewind: "REWIND: the committed offset went backwards",
    ]
}
