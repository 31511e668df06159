import Exposition

/// The latest value of every selected family, keyed by the selected labels' values. A source's
/// publication replaces all it published before, so a family it stops publishing disappears here.
struct Readings: Sendable {
    typealias Table = [[String]: Double]

    private var tables: [String: Table] = [:]
    private var familiesOfSource: [String: [String]] = [:]
    /// Publications absorbed so far.
    private(set) var generation = 0

    subscript(_ family: PublishedFamily) -> Table { tables[family.rawValue] ?? [:] }

    /// The single value of a family without labels.
    func scalar(_ family: PublishedFamily) -> Double? { tables[family.rawValue]?[[]] }

    mutating func absorb(_ familiesBySource: [String: [MetricFamily]]) {
        generation += 1
        for (source, families) in familiesBySource {
            for name in familiesOfSource[source] ?? [] { tables[name] = nil }
            var read: [String] = []
            for family in families {
                guard let selection = Selection.all[family.name], let table = Self.table(family, selection) else { continue }
                tables[family.name] = table
                read.append(family.name)
            }
            familiesOfSource[source] = read
        }
    }

    /// Nil when the family lacks a label the selection needs (a broken contract reads as no data).
    private static func table(_ family: MetricFamily, _ selection: Selection) -> Table? {
        let positions = selection.labels.compactMap { family.labelNames.firstIndex(of: $0) }
        guard positions.count == selection.labels.count else { return nil }
        var table: Table = [:]
        for sample in family.samples where sample.kind == .value && !sample.value.isNaN && selection.accepts(sample.value) {
            var key = positions.map { sample.labelValues[$0] }
            if selection.statusInKey { key.append(String(Int(sample.value))) }
            switch selection.aggregate {
            case .sum: table[key, default: 0] += sample.value
            case .max: table[key] = max(table[key] ?? -.infinity, sample.value)
            case .count: table[key, default: 0] += 1
            }
        }
        return table
    }

    /// A ratio family keyed by its one label, with the bound and the record count published beside it.
    func measured(_ family: PublishedFamily, bound: PublishedFamily, records: PublishedFamily) -> [String: Measured] {
        let bounds = byFirstLabel(bound), counts = byFirstLabel(records)
        return byFirstLabel(family).reduce(into: [:]) { result, entry in
            result[entry.key] = Measured(value: entry.value, bound: bounds[entry.key], records: counts[entry.key])
        }
    }

    /// A table keyed by one label, its values summed over the others (e.g. lag per group from lag per group and topic).
    func byFirstLabel(_ family: PublishedFamily) -> [String: Double] {
        var result: [String: Double] = [:]
        for (key, value) in self[family] { if let first = key.first { result[first, default: 0] += value } }
        return result
    }
}
