import Exposition
import Foundation
@testable import Overview

/// Families as the other sources publish them, by the names of docs/metrics.md.
enum Families {
    static func gauge(_ name: PublishedFamily, _ labels: [String], _ samples: [[String]: Double]) -> MetricFamily {
        var family = MetricFamily(
            name: name.rawValue, help: "test", type: name.rawValue.hasSuffix("_total") ? .counter : .gauge, labelNames: labels)
        for (values, value) in samples.sorted(by: { $0.key.joined() < $1.key.joined() }) { family.add(values, value) }
        return family
    }

    static func scalar(_ name: PublishedFamily, _ value: Double) -> MetricFamily { gauge(name, [], [[]: value]) }

    /// A recorder fed `cycles` cycles, 15 s apart from `start`, with what `publish(cycle)` returns per source.
    static func recorder(
        cycles: Int, settings: OverviewRecorder.Settings = .init(), start: Date = Date(timeIntervalSince1970: 1_800_000_000),
        publish: (Int) -> [String: [MetricFamily]]
    ) -> (OverviewRecorder, Date) {
        let recorder = OverviewRecorder(settings: settings)
        var time = start
        for cycle in 0..<cycles {
            time = start.addingTimeInterval(Double(cycle) * 15)
            recorder.observe(publish(cycle), at: time)
        }
        return (recorder, time)
    }
}
