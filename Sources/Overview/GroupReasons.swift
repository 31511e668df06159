/// A consumer group's status in words, from its partitions that are not OK
/// (`kafka_consumergroup_partition_status`: 2 WARN, 4 STOP, 5 STALL, 6 REWIND; docs/group-status.md).
enum GroupReasons {
    static func statusName(_ code: Double?) -> String {
        switch code.map(Int.init) {
        case 1: "OK"
        case 2: "WARN"
        case 3: "ERR"
        case 0: "NOTFOUND"
        default: "unknown"
        }
    }

    /// Partitions per topic with a status code, for one group.
    typealias Troubles = [(topic: String, code: Int, partitions: Int)]

    /// Per group, from the partition statuses other than OK; worst code first.
    static func troubles(_ table: Readings.Table) -> [String: Troubles] {
        var byGroup: [String: Troubles] = [:]
        for (key, count) in table where key.count == 3 {
            byGroup[key[0], default: []].append((key[1], Int(key[2]) ?? 0, Int(count)))
        }
        return byGroup.mapValues { $0.sorted { ($0.code, $1.topic) > ($1.code, $0.topic) } }
    }

    static func reason(status: String, lag: Double?, troubles: Troubles) -> Phrase {
        let parts = troubles.compactMap { trouble -> Phrase? in
            guard let what = meaning[trouble.code] else { return nil }
            let partitions = trouble.partitions == 1 ? "1 partition" : "\(trouble.partitions) partitions"
            return "\(partitions) of \(name: trouble.topic) \(what)"
        }
        if !parts.isEmpty {
            return parts.dropFirst().reduce(parts[0]) { "\($0); \($1)" }
        }
        switch status {
        case "OK": return lag == 0 ? "caught up" : "consuming"
        case "NOTFOUND": return "no commit on a partition whose newest offset is known"
        default: return ""
        }
    }

    private static let meaning: [Int: Phrase] = [
        2: "WARN: lag grew and never fell during the status window",
        4: "STOP: messages wait, no commit for the status window and no live member owns them",
        5: "STALL: a live member owns them but has not committed for the status window",
        6: "REWIND: the committed offset went backwards",
    ]
}
