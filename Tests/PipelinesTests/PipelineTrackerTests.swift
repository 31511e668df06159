import Cluster
import Pipelines
import Foundation
import Kafka
import Support
import Testing

@Suite struct PipelineTrackerTests {
    private let stage = routerStage

    private func state(
        _ second: Double, consumed: Int64?, lag: Int64 = 0, outA: Int64, outB: Int64, outB1: Int64? = nil, groupListed: Bool = true
    ) -> ClusterState {
        routerCycle(second, consumed: consumed, lag: lag, outA: outA, outB: outB, outB1: outB1, groupListed: groupListed)
    }

    /// Rates with the fields a test does not name computed from those it does: the ratio as out / in
    /// where the bound allows it.
    private func rates(
        inPerSecond: Double, outPerSecond: Double, shown: Bool, bound: Double?, seconds: Double, window: Double
    ) -> PipelineTracker.Rates {
        PipelineTracker.Rates(
            inPerSecond: inPerSecond, outPerSecond: outPerSecond, amplification: shown ? outPerSecond / inPerSecond : nil, bound: bound,
            records: inPerSecond * seconds, seconds: seconds, coverage: seconds / window)
    }

    @Test func producingEveryRecordTwiceHasRatioTwo() {
        let tracker = PipelineTracker(stages: [stage], window: .seconds(20))
        _ = tracker.update(with: state(0, consumed: 0, outA: 0, outB: 0))
        _ = tracker.update(with: state(10, consumed: 100, outA: 60, outB: 140))
        let rates = tracker.update(with: state(20, consumed: 200, outA: 120, outB: 280))["router"]
        // From the commit seen at 10 s to the one at 20 s: 100 in, 200 out, every record committed
        // (but the one a stage may hold between its commit and its output: 2 × 1 / 99).
        #expect(rates == PipelineTracker.Rates(inPerSecond: 10, outPerSecond: 20, amplification: 2, bound: 2.0 / 99, records: 100, seconds: 10, coverage: 0.5))
    }

    /// The ratio appears once the records counted bound it within 0.1: those beyond the commits at the
    /// span's ends (8 each here) may or may not have been written out, so with ratio 2 the bound is
    /// 2 × 8 / (n − 8), at most 0.1 from n = 168 records in.
    @Test func theRatioAppearsOnceTheRecordsCountedBoundIt() {
        let tracker = PipelineTracker(stages: [stage], window: .seconds(600))
        // Truth: 4 records a second, every one produced twice; each cycle sees the commit made 2 s
        // before it, so 8 records lie beyond it. The exporter's first cycle (0 s) cannot tell when the
        // commit it sees was made: the span starts at 10 s.
        let committed = { (t: Double) in Int64(100 + 4 * (t - 2)) }
        let out = { (t: Double) in Int64(200 + 8 * t) }
        for t in [0.0, 10] {
            _ = tracker.update(with: state(t, consumed: committed(t), lag: 8, outA: out(t), outB: 0))
        }
        for t in stride(from: 20.0, through: 50, by: 10) {
            let rates = tracker.update(with: state(t, consumed: committed(t), lag: 8, outA: out(t), outB: 0))["router"]
            let records = 4 * (t - 10)
            #expect(rates == self.rates(inPerSecond: 4, outPerSecond: 8, shown: records >= 168, bound: 16 / (records - 8), seconds: t - 10, window: 600),
                    "at \(t) s: \(records) records")
        }
        #expect(tracker.update(with: state(60, consumed: committed(60), lag: 8, outA: out(60), outB: 0))["router"]?.amplification == 2)
    }

    /// A stage that starts behind and catches up: the cycles in its backlog had hundreds of records
    /// beyond the commit, so a span starting there bounds nothing; the span starts where the lag fell.
    @Test func aSpanStartsWhereTheLagBoundsTheRatioBest() {
        let tracker = PipelineTracker(stages: [stage], window: .seconds(600))
        // Truth: 4 records arrive a second; the router starts 400 behind and reads 8 a second until 4
        // records behind (at 99 s); every record is produced twice, as it is committed.
        let lag = { (t: Double) in Int64(max(4, 400 - 4 * t)) }
        let committed = { (t: Double) in Int64(1000 + 4 * t) - lag(t) }
        var last: PipelineTracker.Rates?
        for t in stride(from: 0.0, through: 150, by: 10) {
            last = tracker.update(with: state(t, consumed: committed(t), lag: lag(t), outA: 2 * committed(t), outB: 0))["router"]
        }
        // From 100 s (lag 4): 200 in, bound 2 × 4 / 196. From 0 s (lag 400) the bound would be 800 / 596.
        #expect(last == PipelineTracker.Rates(inPerSecond: 4, outPerSecond: 8, amplification: 2, bound: 8.0 / 196, records: 200, seconds: 50, coverage: 50.0 / 600))
    }

    /// Issue 12: the demo with the bug from the first second. The router's burst of 200 records was
    /// consumed and produced twice before its group's first commit; counting out from the first cycle
    /// and in from the first commit showed 2.5. Here both sides start at the first commit.
    @Test func aGroupThatFirstCommitsAfterTheOutputsHaveDataIsMeasuredFromItsFirstCommit() {
        // Truth: 200 records at 5 s, then 4 per second; every record is produced twice. Each cycle at
        // t sees the commit made at t - 2 (committed 200 + 4 (t - 2), 8 records behind) and the
        // outputs up to t.
        let tracker = PipelineTracker(stages: [stage], window: .seconds(100))
        let out = { (t: Double) in Int64(2 * (200 + 4 * t)) }
        let committed = { (t: Double) in Int64(200 + 4 * (t - 2)) }
        #expect(tracker.update(with: state(0, consumed: nil, outA: 0, outB: 0)).isEmpty, "no commit: no input side")
        #expect(tracker.update(with: state(10, consumed: nil, outA: out(10) / 2, outB: out(10) / 2)).isEmpty)
        #expect(tracker.update(with: state(20, consumed: committed(20), lag: 8, outA: out(20) / 2, outB: out(20) / 2)).isEmpty,
                "one cycle with both sides: no span yet")
        for t in [30.0, 40, 50, 60] {
            let rates = tracker.update(with: state(t, consumed: committed(t), lag: 8, outA: out(t) / 2, outB: out(t) / 2))["router"]
            // From the first commit at 20 s: 4 in and 8 out per second; 4 (t - 20) records bound the
            // ratio within 2 × 8 / (4 (t - 20) - 8), still above 0.1 at 60 s (160 records).
            #expect(rates == self.rates(inPerSecond: 4, outPerSecond: 8, shown: false, bound: 16 / (4 * (t - 20) - 8), seconds: t - 20, window: 100))
        }
        let rates = tracker.update(with: state(70, consumed: committed(70), lag: 8, outA: out(70) / 2, outB: out(70) / 2))["router"]
        #expect(rates == self.rates(inPerSecond: 4, outPerSecond: 8, shown: true, bound: 16.0 / 192, seconds: 50, window: 100))
    }

    /// The router read a backlog of 300 records when it started: the first commit is shown in the
    /// middle of it, and the records it read after that commit but produced before the cycle would be
    /// counted in but not out. A span that starts there gives 1.85; the span starts at the first commit
    /// shown in a steady stretch of output instead.
    @Test func aBurstAtTheFirstCommitIsLeftOutOfTheSpan() {
        // Truth: the backlog is read in the first 10 s (15 records once, then each twice: 585 out);
        // from 10 s, 4 records a second, each twice. Each cycle from 20 s sees the commit of a second
        // before: committed 300 + 4 (t - 11); at 10 s the commit made at 9 s, 280.
        // Each cycle's commit leaves the records of the second before it behind (20 at 10 s, 4 from 20 s).
        let tracker = PipelineTracker(stages: [stage], window: .seconds(100))
        let committed = { (t: Double) in Int64(300 + 4 * (t - 11)) }
        let out = { (t: Double) in Int64(585 + 8 * (t - 10)) }
        _ = tracker.update(with: state(0, consumed: nil, outA: 0, outB: 0))
        _ = tracker.update(with: state(10, consumed: 280, lag: 20, outA: out(10), outB: 0))
        for t in stride(from: 20.0, through: 40, by: 10) {
            let rates = tracker.update(with: state(t, consumed: committed(t), lag: 4, outA: out(t), outB: 0))["router"]
            #expect(t == 20 || rates == self.rates(inPerSecond: 4, outPerSecond: 8, shown: false, bound: 8 / (4 * (t - 20) - 4), seconds: t - 20, window: 100))
        }
        // From the commit shown at 20 s (the one at 10 s came with 58.5 records a second, the median 8).
        let rates = tracker.update(with: state(50, consumed: committed(50), lag: 4, outA: out(50), outB: 0))["router"]
        #expect(rates == self.rates(inPerSecond: 4, outPerSecond: 8, shown: true, bound: 8.0 / 116, seconds: 30, window: 100))
    }

    /// A group that commits every 30 s, read every 10 s: measured from the first to the last cycle of
    /// the window that saw a new commit, both sides cover the same 90 s; over the whole window the
    /// input would miss the 25 s since its last commit at the start and gain them at the end.
    @Test func theSpanEndsAtCyclesThatSawANewCommit() {
        // Truth: 5 messages per second in and out; commits at 5, 35, 65 and 95 s.
        let tracker = PipelineTracker(stages: [stage], window: .seconds(100))
        let committed = { (t: Double) in Int64(1000 + 5 * (((t - 5) / 30).rounded(.down) * 30 + 5)) }
        let out = { (t: Double) in Int64(3000 + 5 * t) }
        var rates: [String: PipelineTracker.Rates] = [:]
        for t in stride(from: 0.0, through: 100, by: 10) {
            // The records that arrived since the last commit (5 a second) lie beyond it.
            rates = tracker.update(with: state(t, consumed: committed(t), lag: Int64(1000 + 5 * t) - committed(t), outA: out(t), outB: 0))
            if t == 50 {
                // Commits seen at 10 and 40 s, 25 records behind each: 150 in, 150 out, bound 25 / 125.
                #expect(rates["router"] == self.rates(inPerSecond: 5, outPerSecond: 5, shown: false, bound: 0.2, seconds: 30, window: 100))
            }
        }
        #expect(committed(0) == 875 && committed(10) == 1025 && committed(100) == 1475)
        // Cycles 10 to 100: 450 in, 450 out. (Cycles 0 to 100 would give 600 in, 500 out: 0.83.)
        #expect(rates["router"] == self.rates(inPerSecond: 5, outPerSecond: 5, shown: true, bound: 25.0 / 425, seconds: 90, window: 100))
    }

    /// Issue 23, on the demo: a cycle that found the router exactly at its commit (no lag) at both ends
    /// of the last second bounded a span of 8 records at 0, and the ratio read 0.75 for a stage that
    /// writes every record once (one output still in its producer's queue). The span is the longest
    /// one bounded within 0.1, and never bounds itself at 0.
    @Test func theSpanIsTheLongestBoundedOneNotTheShortestWithoutLag() {
        let tracker = PipelineTracker(stages: [stage], window: .seconds(60))
        var last: PipelineTracker.Rates?
        for t in stride(from: 0.0, through: 60, by: 1) {
            // 8 records a second, each written once; the cycles at 59 and 60 s found no record beyond
            // the commit, the others 5; at 60 s one output is still in the producer's queue.
            let committed = Int64(8 * t), lag: Int64 = t >= 59 ? 0 : 5
            last = tracker.update(with: state(t, consumed: committed, lag: lag, outA: committed - (t == 60 ? 1 : 0), outB: 0))["router"]
        }
        // From 1 s (the first commit shown) to 60 s: 472 in, 471 out, bound 471/472 × 5 / 467.
        let bound = 471.0 / 472 * 5 / 467
        #expect(last == PipelineTracker.Rates(
            inPerSecond: 8, outPerSecond: 471.0 / 59, amplification: 471.0 / 472, bound: bound, records: 472, seconds: 59, coverage: 59.0 / 60))
    }

    @Test func theWindowForgetsOlderCycles() {
        let tracker = PipelineTracker(stages: [stage], window: .seconds(30))
        _ = tracker.update(with: state(0, consumed: 0, outA: 0, outB: 0))
        _ = tracker.update(with: state(30, consumed: 100, outA: 200, outB: 0))  // the bug, then fixed
        _ = tracker.update(with: state(60, consumed: 200, outA: 300, outB: 0))
        #expect(tracker.update(with: state(90, consumed: 300, outA: 400, outB: 0))["router"]
            == PipelineTracker.Rates(inPerSecond: 100.0 / 30, outPerSecond: 100.0 / 30, amplification: 1, bound: 1.0 / 99, records: 100, seconds: 30, coverage: 1))
    }

    @Test func noInputTrafficGivesNoRatio() {
        let tracker = PipelineTracker(stages: [stage], window: .seconds(60))
        _ = tracker.update(with: state(0, consumed: 50, outA: 10, outB: 10))
        let rates = tracker.update(with: state(10, consumed: 50, outA: 10, outB: 10))["router"]
        #expect(rates == PipelineTracker.Rates(inPerSecond: 0, outPerSecond: 0, amplification: nil, bound: nil, records: 0, seconds: 10, coverage: 10.0 / 60))
    }

    @Test func offsetsGoingBackwardsNeverMakeNegativeRates() {
        let tracker = PipelineTracker(stages: [stage], window: .seconds(60))
        _ = tracker.update(with: state(0, consumed: 500, outA: 500, outB: 500))
        let rates = tracker.update(with: state(10, consumed: 20, outA: 5, outB: 5))["router"]
        #expect(rates?.inPerSecond == 0 && rates?.outPerSecond == 0)
    }

    /// A partition added to an output holds messages written before it was first seen: the span
    /// starts again at that cycle instead of counting them as produced by nobody's input.
    @Test func aNewOutputPartitionStartsTheSpanAgain() {
        let tracker = PipelineTracker(stages: [stage], window: .seconds(40))
        _ = tracker.update(with: state(0, consumed: 0, outA: 0, outB: 0))
        _ = tracker.update(with: state(10, consumed: 100, outA: 100, outB: 0))
        let restarted = tracker.update(with: state(20, consumed: 200, outA: 200, outB: 0, outB1: 700))
        #expect(restarted.isEmpty, "one cycle since the partition appeared")
        _ = tracker.update(with: state(30, consumed: 300, outA: 250, outB: 0, outB1: 750))
        let rates = tracker.update(with: state(40, consumed: 400, outA: 300, outB: 0, outB1: 800))["router"]
        // Commits seen at 30 and 40 s (the point at 20 s restarted the history; it shows no new commit).
        #expect(rates == PipelineTracker.Rates(inPerSecond: 10, outPerSecond: 10, amplification: 1, bound: 1.0 / 99, records: 100, seconds: 10, coverage: 0.25))
    }

    /// A cycle that could not read the stage's group keeps the history: the next one measures across it.
    @Test func aCycleWithoutTheGroupKeepsTheHistoryAndTheRates() {
        let tracker = PipelineTracker(stages: [stage], window: .seconds(20))
        _ = tracker.update(with: state(0, consumed: 0, outA: 0, outB: 0))
        let before = tracker.update(with: state(10, consumed: 100, outA: 300, outB: 0))["router"]
        #expect(tracker.update(with: state(20, consumed: nil, outA: 400, outB: 0, groupListed: false))["router"] == before)
        let rates = tracker.update(with: state(30, consumed: 300, outA: 600, outB: 0))["router"]
        #expect(rates == PipelineTracker.Rates(inPerSecond: 10, outPerSecond: 15, amplification: 1.5, bound: 1.5 / 199, records: 200, seconds: 20, coverage: 1))
    }

    /// More cycles than the ring holds: points closer than window / 510 replace the newest, so the
    /// ring still spans the whole window.
    @Test func aShortIntervalStillSpansTheWindow() {
        let tracker = PipelineTracker(stages: [stage], window: .seconds(60))
        var rates: [String: PipelineTracker.Rates] = [:]
        for cycle in 0...2400 {
            let t = Double(cycle) / 20
            rates = tracker.update(with: state(t, consumed: Int64(cycle * 10), outA: Int64(cycle * 20), outB: 0))
        }
        let router = rates["router"]
        #expect(router?.amplification == 2)
        #expect(router.map { $0.seconds > 59.5 && $0.seconds <= 60 && abs($0.inPerSecond - 200) < 1e-4 } == true, "\(String(describing: router))")
    }

    @Test func declarationsParse() throws {
        #expect(try PipelineStage(parsing: "router: _rawdata -> _policy,_flow") == PipelineStage(name: "router", inputs: ["_rawdata"], outputs: ["_policy", "_flow"]))
        #expect(try PipelineStage.parseFile("# stages\nrouter: raw -> a, b  # the router\n\nenrich:a->c\n").map(\.name) == ["router", "enrich"])
        for bad in ["router _rawdata -> x", ": a -> b", "r: a", "r: -> b", "r: a -> b -> c"] {
            #expect(throws: ConfigurationError.self) { try PipelineStage(parsing: bad) }
        }
    }
}
