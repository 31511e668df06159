import Glibc

/// Numbers as the page and the banner write them: short, with thousands separated.
enum Numbers {
    /// "0.25", "12.5", "3", "1,234".
    static func format(_ value: Double) -> String {
        guard value.isFinite else { return "–" }
        if abs(value) >= 1e15 { return printf("%.3g", value) }
        if abs(value) >= 100 || value == value.rounded() { return grouped(Int(value.rounded())) }
        return printf(abs(value) < 1 ? "%.2f" : "%.1f", value)
    }

    private static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return value < 0 ? "-" + result : result
    }

    /// "2.0": a ratio of records out to records in.
    static func ratio(_ value: Double) -> String { printf("%.1f", value) }

    /// "2.0 ± 0.05 over 95 records": a ratio with what it is exact to and the records it was counted from.
    static func measuredRatio(_ ratio: Measured) -> String {
        Numbers.ratio(ratio.value) + measurement(ratio, bound: ratioBound)
    }

    /// "0.05": how far a ratio of records may be off.
    static func ratioBound(_ bound: Double) -> String { printf("%.2f", bound) }

    /// " ± 0.05 over 95 records", or what of it is known.
    static func measurement(_ ratio: Measured, bound: (Double) -> String) -> String {
        (ratio.bound.map { " ± " + bound($0) } ?? "") + (ratio.records.map { " over \(format($0)) records" } ?? "")
    }

    /// "50 %", "1.5 %".
    static func percent(_ share: Double) -> String {
        let percent = share * 100
        return (percent >= 10 || percent < 0.05 ? printf("%.0f", percent) : printf("%.1f", percent)) + " %"
    }

    /// "45 s", "10 min", "2 h".
    static func duration(_ seconds: Double) -> String {
        if seconds < 90 { return "\(Int(seconds.rounded())) s" }
        if seconds < 5400 { return "\(Int((seconds / 60).rounded())) min" }
        return "\(Int((seconds / 3600).rounded())) h"
    }

    /// Axis labels: "0", "2.5", "400", "1.2k", "3M".
    static func axis(_ value: Double) -> String {
        let magnitude = abs(value)
        for (limit, suffix) in [(1e9, "G"), (1e6, "M"), (1e3, "k")] where magnitude >= limit {
            return trimmed(value / limit) + suffix
        }
        return trimmed(value)
    }

    private static func trimmed(_ value: Double) -> String {
        printf(abs(value) >= 10 ? "%.0f" : "%.2g", value)
    }

    /// What `String(format:)` gives for one number (it formats with the C library too, and needs full
    /// Foundation): C's `printf` formats, "C" locale.
    private static func printf(_ format: String, _ value: Double) -> String {
        let length = Int(withVaList([value]) { vsnprintf(nil, 0, format, $0) })
        return String(unsafeUninitializedCapacity: length + 1) { buffer in
            buffer.withMemoryRebound(to: CChar.self) { characters in
                Int(withVaList([value]) { vsnprintf(characters.baseAddress, length + 1, format, $0) })
            }
        }
    }
}
