@testable import Exporter
import Foundation
import Testing
import TestSupport

/// `--kafka.labels` must not repeat a label the exporter's own series carry: the golden exposition
/// (every source's families, with `env` as its constant label) shows which those are.
@Suite struct ConstantLabelsTests {
    @Test func everyLabelTheExporterUsesIsReserved() throws {
        let text = try String(contentsOf: Repository.fixture("golden", "metrics-synthetic-cycles.txt"), encoding: .utf8)
        let used = Set(ExpositionSamples(text).samples.flatMap(\.labels.keys)).subtracting(["env"])
        #expect(used.count >= 10, "\(used)")
        #expect(used.subtracting(ConstantLabels.reserved).isEmpty, "not reserved: \(used.subtracting(ConstantLabels.reserved))")
    }

    @Test func validLabelsPassInOrder() throws {
        let labels = try ConstantLabels.parse(" cluster=prod , env=eu-west-1,empty=,with_equals=a=b")
        #expect(labels.map(\.name) == ["cluster", "env", "empty", "with_equals"])
        #expect(labels.map(\.value) == ["prod", "eu-west-1", "", "a=b"])
        #expect(try ConstantLabels.parse("").isEmpty)
    }
}
