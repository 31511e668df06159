import Foundation
import Support

/// kafka_exporter's allow/deny filters: a name passes when `include` matches somewhere in it and
/// `exclude` does not. Decisions are cached, since names repeat every cycle.
package final class NameFilter: Sendable {
    package let include: String
    package let exclude: String
    private let includeRegex: NSRegularExpressionBox
    private let excludeRegex: NSRegularExpressionBox
    private let cache = Locked<[String: Bool]>([:])

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
        includeRegex = try NSRegularExpressionBox(include, inExclude: false)
        excludeRegex = try NSRegularExpressionBox(exclude, inExclude: true)
    }

    package static let everything = try! NameFilter()

    package func accepts(_ name: String) -> Bool {
        if let known = cache.withLock({ $0[name] }) { return known }
        let accepted = includeRegex.matches(name) && !excludeRegex.matches(name)
        cache.withLock { cache in
            // Bound the cache on clusters with churning names (e.g. temporary consumer groups).
            if cache.count > 100_000 { cache.removeAll() }
            cache[name] = accepted
        }
        return accepted
    }
}

/// NSRegularExpression is immutable and documented as thread-safe; the box states that to Swift.
private struct NSRegularExpressionBox: @unchecked Sendable {
    let regex: NSRegularExpression

    init(_ pattern: String, inExclude: Bool) throws(NameFilter.InvalidPattern) {
        do {
            // An empty pattern matches every name, as in Go; ICU refuses it, "^" means the same.
            regex = try NSRegularExpression(pattern: pattern.isEmpty ? "^" : pattern)
        } catch {
            // NSRegularExpression only says "The value is invalid."; Swift's parser says what is wrong.
            throw NameFilter.InvalidPattern(pattern: pattern, reason: Self.reason(pattern), inExclude: inExclude)
        }
    }

    private static func reason(_ pattern: String) -> String {
        do {
            _ = try Regex(pattern)
            return "not a valid ICU regular expression"
        } catch {
            return "\(error)"
        }
    }

    func matches(_ name: String) -> Bool {
        regex.firstMatch(in: name, range: NSRange(name.startIndex..., in: name)) != nil
    }
}
