/// Parses durations as Prometheus and Go exporters take them: `15s`, `500ms`, `1h30m`, `1d`, `2w`, `1y`
/// (Prometheus: d = 24h, w = 7d, y = 365d), fractions as Go allows (`1.5s`), and a bare `0`. A leading
/// `-` gives a negative duration, which callers refuse with their own words. `format` writes what
/// `parse` reads, for the defaults `--help` shows.
package enum DurationParsing {
    package struct InvalidDuration: Error, CustomStringConvertible {
        package let text: String
        package var description: String { "invalid duration \"\(text)\" (use e.g. 500ms, 15s, 1h30m, 1d)" }
    }

    private static let nanosecondsPerUnit: [String: Double] = [
        "ns": 1, "us": 1e3, "µs": 1e3, "ms": 1e6, "s": 1e9, "m": 60e9, "h": 3600e9,
        "d": 86_400e9, "w": 604_800e9, "y": 31_536_000e9,
    ]

    package static func parse(_ text: String) throws(InvalidDuration) -> Duration {
        var remaining = Substring(text)
        let negative = remaining.first == "-"
        if negative || remaining.first == "+" { remaining = remaining.dropFirst() }
        guard !remaining.isEmpty else { throw InvalidDuration(text: text) }
        if remaining == "0" { return .zero }
        var nanoseconds = 0.0
        while !remaining.isEmpty {
            let number = remaining.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard let value = Double(number) else { throw InvalidDuration(text: text) }
            remaining = remaining.dropFirst(number.count)
            let unitText = remaining.prefix { !($0.isASCII && ($0.isNumber || $0 == ".")) }
            guard let unit = nanosecondsPerUnit[String(unitText)] else { throw InvalidDuration(text: text) }
            remaining = remaining.dropFirst(unitText.count)
            nanoseconds += value * unit
        }
        guard nanoseconds < Double(Int64.max) else { throw InvalidDuration(text: text) }
        let duration = Duration.nanoseconds(Int64(nanoseconds.rounded()))
        return negative ? .zero - duration : duration
    }

    /// Largest units first and zero parts left out, as `15s`, `10m`, `1m30s` or `500ms`; zero is `0s`.
    package static func format(_ duration: Duration) -> String {
        if duration < .zero { return "-" + format(.zero - duration) }
        let (seconds, attoseconds) = duration.components
        let nanoseconds = attoseconds / 1_000_000_000
        let parts: [(Int64, String)] = [
            (seconds / 3600, "h"), (seconds / 60 % 60, "m"), (seconds % 60, "s"),
            (nanoseconds / 1_000_000, "ms"), (nanoseconds / 1000 % 1000, "us"), (nanoseconds % 1000, "ns"),
        ]
        let text = parts.filter { $0.0 > 0 }.map { "\($0.0)\($0.1)" }.joined()
        return text.isEmpty ? "0s" : text
    }
}
