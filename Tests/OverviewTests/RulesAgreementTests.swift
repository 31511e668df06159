import Cluster
import Foundation
@testable import Overview
import Testing
import TestSupport

/// The rules file is what users deploy; the banner names the same conditions. Each number the
/// banner compares with is read here from the alert's expression, so the two cannot drift apart.
@Suite struct RulesAgreementTests {
    /// The text of one alert in the rules file, from its name to the next alert.
    private func alert(_ name: String) throws -> Substring {
        let rules = try String(contentsOf: Repository.root.appending(path: "dashboards/kafka-exporter.rules.yml"), encoding: .utf8)
        let start = try #require(rules.range(of: "- alert: \(name)\n"), "\(name) in the rules file")
        let rest = rules[start.upperBound...]
        return rest[..<(rest.range(of: "- alert: ")?.lowerBound ?? rest.endIndex)]
    }

    /// The numbers an alert's expression compares with (`> 1.2`, `== 4`), in order.
    private func comparisons(of name: String) throws -> [Double] {
        let text = try alert(name)
        let expression = text[..<(text.range(of: "\n        for:")?.lowerBound ?? text.endIndex)]
        return expression.matches(of: /(?:>|==) (\d+(?:\.\d+)?)/).map { Double($0.output.1)! }
    }

    @Test(arguments: Problem.Rule.allCases)
    func theBannersRuleHasTheAlertsSeverityAndRunbookEntry(rule: Problem.Rule) throws {
        let text = try alert(rule.rawValue)
        #expect(text.firstMatch(of: /severity: (\w+)/)?.output.1 == Substring(rule.severity.rawValue))
        #expect(text.firstMatch(of: /runbook_url: (\S+)/)?.output.1 == Substring("docs/runbook.md#\(rule.runbook)"))
    }

    @Test func thresholdsAreTheAlertRules() throws {
        #expect(try comparisons(of: "PipelineAmplification") == [Diagnosis.amplificationAbove])
        #expect(try comparisons(of: "TopicDuplicates") == [Diagnosis.duplicateRatioAbove])
        #expect(try comparisons(of: "KafkaProducerQueueNearFull") == [Diagnosis.queueFillAbove])
        #expect(try comparisons(of: "KafkaConsumerGroupLagGrowing") == [Diagnosis.lagGrowthPerSecondAbove, Diagnosis.lagAbove])
    }

    @Test func statusCodesAreThoseThePartitionsArePublishedWith() throws {
        #expect(try comparisons(of: "KafkaConsumerGroupStopped") == [Double(ConsumerStatus.stop.code)])
        #expect(try comparisons(of: "KafkaConsumerGroupStalled") == [Double(ConsumerStatus.stall.code)])
    }
}
