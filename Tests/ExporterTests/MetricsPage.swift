import Exposition
import Foundation
import TestSupport

/// docs/metrics.md: prose written by hand around one table per source, each generated from the
/// source's declared families and placed under the line `marker(source)`.
struct MetricsPage {
    static let file = Repository.root.appending(path: "docs/metrics.md")
    static let header = ["| metric | type | labels | meaning |", "|---|---|---|---|"]

    private var lines: [String]

    init() throws {
        lines = try String(contentsOf: Self.file, encoding: .utf8).components(separatedBy: "\n")
    }

    static func marker(_ source: String) -> String {
        "<!-- generated from \(source).declaredFamilies -->"
    }

    /// The table the families make: a row per family, in the order the source declares them.
    static func table(_ families: [MetricFamily]) -> [String] {
        header + families.map(row)
    }

    /// The family's row; its meaning is its HELP text.
    static func row(_ family: MetricFamily) -> String {
        let labels = family.labelNames.map { "`\($0)`" }.joined(separator: ", ")
        return "| `\(family.name)` | \(family.type) | \(labels) | \(family.help.replacingOccurrences(of: "|", with: "\\|")) |"
    }

    /// The lines of the table under the source's marker; nil when the page has no such marker.
    func table(of source: String) -> ArraySlice<String>? {
        guard let marker = lines.firstIndex(of: Self.marker(source)) else { return nil }
        let end = lines[(marker + 1)...].firstIndex { !$0.hasPrefix("|") } ?? lines.endIndex
        return lines[(marker + 1)..<end]
    }

    mutating func replaceTable(of source: String, with table: [String]) {
        guard let current = self.table(of: source) else { return }
        lines.replaceSubrange(current.indices, with: table)
    }

    func write() throws {
        try lines.joined(separator: "\n").write(to: Self.file, atomically: true, encoding: .utf8)
    }

    /// The family a table row names; nil for a header line.
    static func name(ofRow row: String) -> String? {
        guard row.hasPrefix("| `") else { return nil }
        return row.dropFirst(2).components(separatedBy: " | ")[0].trimmingCharacters(in: ["`"])
    }

    /// Every row of the page's tables, by the family it names: its type and label names.
    var rows: [String: (type: String, labels: Set<String>)] {
        lines.reduce(into: [:]) { rows, line in
            let cells = line.components(separatedBy: " | ")
            guard let name = Self.name(ofRow: line), cells.count > 3 else { return }
            rows[name] = (cells[1], Set(cells[2].split(separator: ", ").map { $0.trimmingCharacters(in: ["`"]) }))
        }
    }

    /// Every word of the page that names a family (starting `kafka_` or `process_`), in tables and
    /// prose alike; `kafka_exporter` is the project whose families the compatible ones keep.
    var mentionedFamilies: Set<String> {
        let words = lines.joined(separator: "\n").split { !($0.isASCII && ($0.isLetter || $0.isNumber)) && $0 != "_" }
        return Set(words.map(String.init).filter { ($0.hasPrefix("kafka_") || $0.hasPrefix("process_")) && $0 != "kafka_exporter" })
    }
}
