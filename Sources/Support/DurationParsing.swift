/// Parses Go-style durations as Prometheus exporters take them: `15s`, `500ms`, `1m30s`, `2h`.
package enum DurationParsing {
    package struct InvalidDuration: Error, CustomStringConvertible {
        package let text: String
        package var description: String { "invalid duration \"\(text)\" (use e.g. 500ms, 15s, 1m30s)" }
    }

    private static let units: [(suffix: String, milliseconds: Double)] = [
        ("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000),
    ]

    package static func parse(_ text: String) throws(InvalidDuration) -> Duration {
        var remaining = Substring(text)
        var totalMilliseconds = 0.0
        guard !remaining.isEmpty else { throw InvalidDuration(text: text) }
        while !remaining.isEmpty {
            let number = remaining.prefix { $0.isNumber || $0 == "." }
            guard let value = Double(number) else { throw InvalidDuration(text: text) }
            remaining = remaining.dropFirst(number.count)
            let unitText = remaining.prefix { $0.isLetter }
            guard let unit = units.first(where: { $0.suffix == unitText }) else { throw InvalidDuration(text: text) }
            remaining = remaining.dropFirst(unitText.count)
            totalMilliseconds += value * unit.milliseconds
        }
        return .milliseconds(Int64(totalMilliseconds.rounded()))
    }
}
