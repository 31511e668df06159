import Cluster
import Foundation

/// `--topic.filter`/`--group.filter` over 100,000 names. The engines alone: Swift's `Regex`, set as
/// NameFilter sets it, against ICU's NSRegularExpression, which it replaced to keep ICU out of the
/// binary. Then NameFilter itself (include and exclude pattern, default exclude `^$`): a name's first
/// sight runs both patterns, every later cycle finds the decision cached.
enum NameFilterBenchmark {
    static func run() throws {
        print("\n## Name filters over 100,000 names (fastest of 3 runs)")
        print("pattern              Regex        NSRegularExpression  Regex/NSRegularExpression  NameFilter first sight  cached")
        let names = (0..<100_000).map { "team-\($0 % 37)-orders-v\($0)" }
        for pattern in [".*", "^(team-1|team-2)-", "orders-v1[0-9]+$", "(?i)ORDERS", "[[:digit:]]{5}"] {
            let regex = try NameFilter.goRegex(pattern)
            let expression = try NSRegularExpression(pattern: pattern)
            let swift = Measure.fastest(runs: 3) { for name in names { _ = try! regex.firstMatch(in: name) } }
            let icu = Measure.fastest(runs: 3) {
                for name in names { _ = expression.firstMatch(in: name, range: NSRange(name.startIndex..., in: name)) }
            }
            var filter = try NameFilter(include: pattern)
            let first = Measure.fastest(runs: 3) {
                filter = try! NameFilter(include: pattern)
                for name in names { _ = filter.accepts(name) }
            }
            let cached = Measure.fastest(runs: 3) { for name in names { _ = filter.accepts(name) } }
            let columns = [(pattern, 19), (swift.formatted, 11), (icu.formatted, 19), (ratio(swift, icu), 25), (first.formatted, 22), (cached.formatted, 0)]
            print(columns.map { $0.padding(toLength: max($1, $0.count), withPad: " ", startingAt: 0) }.joined(separator: "  "))
        }
    }
}
