import Support

/// kafka_exporter's allow/deny filters: a name passes when `include` matches somewhere in it and
/// `exclude` does not. Decisions are cached, since names repeat every cycle.
package final class NameFilter: Sendable {
    package let include: String
    package let exclude: String
    private let includeRegex: Pattern
    private let excludeRegex: Pattern
    private let cache = Locked<[ExactName: Bool]>([:])

    package struct InvalidPattern: Error, CustomStringConvertible {
        package let pattern: String
        package let reason: String
        /// True when the exclude pattern is the invalid one.
        package let inExclude: Bool
        package var description: String { "invalid regular expression \"\(pattern)\": \(reason)" }
    }

    package init(include: String = ".*", exclude: String = "^$") throws(InvalidPattern) {
        self.include = include
        self.exclude = exclude
        includeRegex = try Pattern(include, inExclude: false)
        excludeRegex = try Pattern(exclude, inExclude: true)
    }

    package static let everything = try! NameFilter()

    package func accepts(_ name: String) -> Bool {
        let key = ExactName(name)
        if let known = cache.withLock({ $0[key] }) { return known }
        let accepted = includeRegex.matches(name) && !excludeRegex.matches(name)
        cache.withLock { cache in
            // Bound the cache on clusters with churning names (e.g. temporary consumer groups).
            if cache.count > 100_000 { cache.removeAll() }
            cache[key] = accepted
        }
        return accepted
    }
}

/// A name compared by its bytes, as Kafka compares names: Swift's `String` equality would make
/// "e\u{301}" and "é" one cache entry, though patterns tell them apart.
private struct ExactName: Hashable {
    let name: String

    init(_ name: String) { self.name = name }

    static func == (left: ExactName, right: ExactName) -> Bool { left.name.utf8.elementsEqual(right.name.utf8) }

    func hash(into hasher: inout Hasher) {
        var name = name
        name.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}

extension NameFilter {
    /// A pattern of kafka_exporter's (Go RE2 syntax) as Swift `Regex` reads it, set to match as Go
    /// does: `\d`, `\w`, `\s`, `\b` and POSIX classes are ASCII-only, and `.` and classes match code
    /// points rather than grapheme clusters. README ("Coming from kafka_exporter") lists what still differs.
    package static func goRegex(_ pattern: String) throws -> Regex<AnyRegexOutput> {
        try Regex(pattern).asciiOnlyCharacterClasses().wordBoundaryKind(.simple).matchingSemantics(.unicodeScalar)
    }
}

/// A pattern as it is decided. kafka_exporter's two defaults, `.*` (every name) and `^$` (only the
/// empty name: Go's `$` without `(?m)` matches at the end of the text only), are decided without a
/// regex: the default configuration then never runs the regex parser and engine, whose code would
/// otherwise be paged in at start (BENCHMARKS.md, "The fixed cost at 1,000 partitions").
private enum Pattern: @unchecked Sendable {
    case anyName
    case emptyName
    /// `Regex` is immutable (it compiles its program once, atomically) but not `Sendable` because its
    /// output type, `AnyRegexOutput`, is not; matching yields no output that crosses threads here.
    case regex(Regex<AnyRegexOutput>)

    init(_ pattern: String, inExclude: Bool) throws(NameFilter.InvalidPattern) {
        switch pattern {
        case ".*": self = .anyName
        case "^$": self = .emptyName
        default:
            do {
                self = .regex(try NameFilter.goRegex(pattern))
            } catch {
                throw NameFilter.InvalidPattern(pattern: pattern, reason: "\(error)", inExclude: inExclude)
            }
        }
    }

    func matches(_ name: String) -> Bool {
        switch self {
        case .anyName: true
        case .emptyName: name.isEmpty
        // Only custom regex components throw, and a pattern parsed from text has none.
        case .regex(let regex): (try? regex.firstMatch(in: name)) != nil
        }
    }
}
