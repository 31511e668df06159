import FoundationEssentials
import Support

/// The body of `/api/v1/groups`: every group's status, per-partition status, lag and lag in seconds.
package struct GroupsDocument: Sendable, Equatable, Codable {
    /// Nil before the first collection cycle.
    package var collectedAt: Date?
    package var statusWindowSeconds: Double
    package var groups: [GroupInsight]
}

/// The body of `/api/v1/groups/NAME`.
package struct GroupDocument: Sendable, Equatable, Codable {
    package var collectedAt: Date
    package var statusWindowSeconds: Double
    package var group: GroupInsight
}

extension OffsetInsights {
    /// `/api/v1/groups` as JSON.
    package func groupsJSON() -> [UInt8] {
        let report = report
        return Self.encode(GroupsDocument(
            collectedAt: report?.collectedAt, statusWindowSeconds: settings.statusWindow.seconds,
            groups: report?.groups ?? []))
    }

    /// `/api/v1/groups/NAME` as JSON; nil for a group the latest cycle did not see (answer 404).
    package func groupJSON(named name: String) -> [UInt8]? {
        guard let report, let group = report.groups.first(where: { $0.name == name }) else { return nil }
        return Self.encode(GroupDocument(
            collectedAt: report.collectedAt, statusWindowSeconds: report.statusWindowSeconds, group: group))
    }

    /// Pretty-printed with sorted keys for people reading it with curl; dates in ISO 8601.
    package static func jsonEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    private static func encode(_ document: some Encodable) -> [UInt8] {
        // Cannot fail: strings, integers, booleans and finite numbers only.
        Array(try! jsonEncoder().encode(document))
    }
}
