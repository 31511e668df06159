import Exposition
import Testing
import TestSupport

/// Topic and group names come from other people: every one of these must survive a round trip
/// through the exposition format and pass promtool.
@Suite struct LabelEscapingTests {
    static let hostileNames = [
        "quote\"inside",
        "back\\slash",
        "new\nline",
        "trailing\\",
        "\\\"\n mixed",
        "unicodé-グループ-🚀",
        "{curly}=,comma",
        "# not a comment",
        String(repeating: "x", count: 249),
    ]

    private func render(_ names: [String]) -> String {
        var family = MetricFamily(name: "kafka_consumergroup_lag", help: "Lag.", type: .gauge, labelNames: ["consumergroup", "topic"])
        for (index, name) in names.enumerated() {
            family.add([name, "topic-\(index)"], Double(index))
        }
        return ExpositionWriter(format: .text).render(family).string
    }

    @Test(arguments: hostileNames)
    func roundTripsThroughTheTextFormat(name: String) {
        let parsed = ExpositionSamples(render([name]))
        #expect(parsed.samples.count == 1)
        #expect(parsed.samples.first?.labels["consumergroup"] == name)
    }

    @Test func escapesExactlyBackslashQuoteAndNewline() {
        let text = render(["a\\b\"c\nd"])
        #expect(text.contains("consumergroup=\"a\\\\b\\\"c\\nd\""))
    }

    @Test(.enabled(if: Promtool.isInstalled, "needs promtool: run `make test-deps` (or `make test`) to install it"))
    func promtoolAcceptsEveryHostileName() throws {
        let result = try Promtool.checkMetrics(render(Self.hostileNames))
        #expect(result.passes, "\(result.output)")
    }
}
