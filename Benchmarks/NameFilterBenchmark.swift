import Cluster
import Foundation

/// `--topic.filter`/`--group.filter` over 100,000 names: NameFilter (Swift `Regex`) against ICU's
/// NSRegularExpression, which it replaced to keep ICU out of the binary. A name's first sight runs the
/// regex; every later cycle finds the decision cached.
enum NameFilterBenchmark {
    static func run() throws {
        print("\n## Name filters over 100,000 names (fastest of 3 runs)")
        print("pattern                  first sight  NSRegularExpression  first/NSRegularExpression  cached cycle")
        let names = (0..<100_000).map { "team-\($0 % 37)-orders-v\($0)" }
        for pattern in [".*", "^(team-1|team-2)-", "orders-v1[0-9]+$", "(?i)ORDERS", "[[:digit:]]{5}"] {
            let expression = try NSRegularExpression(pattern: pattern)
            var filter = try NameFilter(include: pattern)
            let first = Measure.fastest(runs: 3) {
                filter = try! NameFilter(include: pattern)
                for name in names { _ = filter.accepts(name) }
            }
            let icu = Measure.fastest(runs: 3) {
                for name in names { _ = expression.firstMatch(in: name, range: NSRange(name.startIndex..., in: name)) }
            }
            let cached = Measure.fastest(runs: 3) { for name in names { _ = filter.accepts(name) } }
            let columns = [(pattern, 23), (first.formatted, 11), (icu.formatted, 19), (ratio(first, icu), 25), (cached.formatted, 12)]
            print(columns.map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  "))
        }
    }
}
