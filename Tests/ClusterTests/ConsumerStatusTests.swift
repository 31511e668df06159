import Cluster
import Foundation
import Testing
import TestSupport

/// docs/group-status.md's table of codes is what the exporter publishes: each row's code, name and
/// whether it applies to groups, partitions or both.
@Suite struct ConsumerStatusTests {
    @Test func theDocumentedCodesAreThePublishedOnes() throws {
        let page = try String(contentsOf: Repository.root.appending(path: "docs/group-status.md"), encoding: .utf8)
        let rows = page.matches(of: /\n\| (\d) \| ([A-Z]+) \| (group|partition|both) \|/).map { ($0.output.1, $0.output.2, $0.output.3) }
        let published = ConsumerStatus.allCases.map { status -> (Substring, Substring, Substring) in
            let (group, partition) = (ConsumerStatus.groupStatuses.contains(status), ConsumerStatus.partitionStatuses.contains(status))
            return (Substring(String(status.code)), Substring(status.rawValue), group && partition ? "both" : group ? "group" : "partition")
        }
        #expect(rows.map { "\($0.0) \($0.1) \($0.2)" } == published.map { "\($0.0) \($0.1) \($0.2)" })
    }
}
