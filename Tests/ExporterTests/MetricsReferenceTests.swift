@testable import Exporter
import Exposition
import Foundation
import MetricSources
@testable import Overview
import Testing

/// docs/metrics.md is the one metrics reference: a table per source, generated from the families the
/// source declares (`MetricSource.declaredFamilies`), checked against them and against the recorded
/// `/metrics`. Regenerate the tables with `METRICS_DOC_UPDATE=1 swift test --filter MetricsReference`
/// and review the diff.
@Suite struct MetricsReferenceTests {
    /// Each source of the catalog that publishes families: its type's name and its declarations.
    private static func declarations() throws -> [(source: String, families: [MetricFamily])] {
        try ExporterOptions.parse([]).sources.all
            .map { (String(describing: $0.sourceType), $0.sourceType.declaredFamilies) }
            .filter { !$0.families.isEmpty }
    }

    private static func declaredFamilies() throws -> [String: MetricFamily] {
        Dictionary(try declarations().flatMap(\.families).map { ($0.name, $0) }) { first, _ in first }
    }

    @Test func eachSourceTableIsWhatTheSourceDeclares() throws {
        let update = ProcessInfo.processInfo.environment["METRICS_DOC_UPDATE"] == "1"
        var page = try MetricsPage()
        for (source, families) in try Self.declarations() {
            let expected = MetricsPage.table(families)
            if update { page.replaceTable(of: source, with: expected) }
            guard let table = page.table(of: source) else {
                Issue.record("docs/metrics.md has no table for \(source): add the line \(MetricsPage.marker(source)) where it goes")
                continue
            }
            let rows = Dictionary(table.compactMap { row in MetricsPage.name(ofRow: row).map { ($0, row) } }) { first, _ in first }
            for family in families {
                let row = MetricsPage.row(family)
                switch rows[family.name] {
                case nil: Issue.record("\(family.name), declared by \(source), is missing from its table in docs/metrics.md")
                case row?: break
                case let found?: Issue.record("\(family.name) in docs/metrics.md differs from its declaration in \(source):\n  page: \(found)\n  code: \(row)")
                }
            }
            for name in Set(rows.keys).subtracting(families.map(\.name)).sorted() {
                Issue.record("\(source)'s table in docs/metrics.md names \(name), which \(source) does not declare")
            }
            #expect(Array(table) == expected, "\(source)'s table in docs/metrics.md is not what its declarations make (METRICS_DOC_UPDATE=1 regenerates it)")
        }
        if update { try page.write() }
    }

    @Test func everyFamilyOfTheRecordedExpositionIsOnThePage() throws {
        let rows = try MetricsPage().rows
        let golden = try GoldenFamilies()
        for (name, types) in golden.types.sorted(by: { $0.key < $1.key }) {
            guard let row = rows[name] else {
                Issue.record("\(name) is in the recorded /metrics (Tests/Fixtures/golden) but not in docs/metrics.md")
                continue
            }
            #expect(types == [row.type], "\(name): \(row.type) in docs/metrics.md, \(types.sorted()) in the recorded /metrics")
            if let labels = golden.labels[name] {
                #expect(row.labels == labels, "\(name): labels \(row.labels.sorted()) in docs/metrics.md, \(labels.sorted()) in the recorded /metrics")
            }
        }
    }

    @Test func thePageNamesNoFamilyThatIsNotPublished() throws {
        let declared = try Self.declaredFamilies()
        let samplesOfAggregates = declared.values.filter { $0.type == .summary || $0.type == .histogram }
            .flatMap { family in ["_sum", "_count", "_bucket"].map { family.name + $0 } }
        let known = Set(declared.keys).union(try GoldenFamilies().types.keys).union(samplesOfAggregates)
        let unknown = try MetricsPage().mentionedFamilies.subtracting(known)
        #expect(unknown.isEmpty, "docs/metrics.md names families no source declares and the recorded /metrics lacks: \(unknown.sorted())")
    }

    /// The overview reads families by name: a family renamed or relabelled by its source must fail here,
    /// not leave the page empty.
    @Test func theOverviewReadsFamiliesTheSourcesDeclare() throws {
        let declared = try Self.declaredFamilies()
        for family in PublishedFamily.allCases {
            guard let declaration = declared[family.rawValue] else {
                Issue.record("the overview reads \(family.rawValue), which no source declares")
                continue
            }
            guard let selection = Selection.all[family.rawValue] else {
                Issue.record("the overview reads \(family.rawValue) but never selects it")
                continue
            }
            #expect(Set(selection.labels).isSubset(of: declaration.labelNames), "the overview reads \(family.rawValue) by \(selection.labels), declared with \(declaration.labelNames)")
        }
    }
}
