import Pipelines
import Support
import Testing
import TestSupport

/// Fifteen minutes of a router as the demo runs one, simulated record by record and read by the
/// tracker as the exporter would: records arrive at 200 a minute with jitter (and a burst of 200 at
/// once); the router reads at most 50 a second, hands each record to a producer queue of 20 (it
/// cannot read on while the queue is full: the incident's `Queue full`), whose records become
/// visible 50 to 150 ms later, at most 50 a second; librdkafka's auto-commit commits what was handed
/// over, every `commitInterval`. Every published ratio must be within 0.1 of the truth, and within its
/// bound but for the records committed while still in the producer's queue, which no offset shows
/// (docs/pipelines.md).
@Suite struct PipelineSimulationTests {
    struct SimulatedRouter {
        var commitInterval: Double
        /// Records written per record read: 2 with the incident's bug.
        var copies: Int64 = 1
        var burstAt: Double?
    }

    struct Published {
        let time: Double
        let ratio: Double
        let bound: Double
        let records: Double

        /// Off by no more than the promise, and than the bound with a full producer queue at an end.
        func holds(truth: Int64) -> Bool {
            let error = abs(ratio - Double(truth))
            return error <= RatioPrecision.publishedWithin
                && error <= bound + Double(truth) * Double(PipelineSimulationTests.queueCapacity) / records + 1e-9
        }
    }

    fileprivate static let queueCapacity = 20
    private static let perSecond = 50.0

    /// The ratios published by cycles every `cycle` seconds over `seconds`.
    private func simulate(_ router: SimulatedRouter, cycle: Double, seconds: Double, seed: UInt64) -> [Published] {
        var random = SeededGenerator(state: seed)
        var arrivals: [Double] = []
        var time = 0.0
        while time < seconds {
            arrivals.append(time)
            if let burst = router.burstAt, arrivals.count > 1, arrivals[arrivals.count - 2] < burst, time >= burst {
                arrivals += Array(repeating: burst, count: 200)
            }
            time += 0.3 + Double.random(in: -0.1...0.1, using: &random)
        }
        arrivals.sort()
        var read: [Double] = [], visible: [Double] = []
        for (index, arrival) in arrivals.enumerated() {
            let queueRoom = index >= Self.queueCapacity ? visible[index - Self.queueCapacity] : 0
            let readAt = max(arrival, (read.last ?? 0) + 1 / Self.perSecond, queueRoom)
            read.append(readAt)
            visible.append(max(readAt + Double.random(in: 0.05...0.15, using: &random), (visible.last ?? 0) + 1 / Self.perSecond))
        }
        func count(_ times: [Double], upTo moment: Double) -> Int64 {
            Int64(times.partitioningIndex { $0 > moment })
        }
        let tracker = PipelineTracker(stages: [routerStage], window: .seconds(300))
        let commitPhase = Double.random(in: 0..<router.commitInterval, using: &random)
        var published: [Published] = []
        var moment = Double.random(in: 0..<cycle, using: &random)
        while moment < seconds {
            let lastCommit = ((moment - commitPhase) / router.commitInterval).rounded(.down) * router.commitInterval + commitPhase
            let committed = lastCommit >= 0 ? count(read, upTo: lastCommit) : nil
            let arrived = count(arrivals, upTo: moment)
            let state = routerCycle(
                moment, consumed: committed, lag: arrived - (committed ?? 0), outA: router.copies * count(visible, upTo: moment), outB: 0)
            if let rates = tracker.update(with: state)["router"], let ratio = rates.amplification, let bound = rates.bound {
                published.append(Published(time: moment, ratio: ratio, bound: bound, records: rates.records))
            }
            moment += cycle + Double.random(in: 0...0.2, using: &random)
        }
        return published
    }

    @Test(arguments: [
        (SimulatedRouter(commitInterval: 1, burstAt: 400), 15.0), (SimulatedRouter(commitInterval: 5, burstAt: 400), 15.0),
        (SimulatedRouter(commitInterval: 1, burstAt: 400), 1.0), (SimulatedRouter(commitInterval: 5, burstAt: 400), 1.0),
    ])
    func aHealthyRouterReadsOneForFifteenMinutesThroughABurst(router: SimulatedRouter, cycle: Double) {
        for seed in UInt64(1)...5 {
            let published = simulate(router, cycle: cycle, seconds: 900, seed: seed)
            let wrong = published.filter { !$0.holds(truth: 1) }
            #expect(wrong.isEmpty, "seed \(seed): \(wrong.prefix(3))")
            // Published for all but the first minute and the cycles around the burst.
            #expect(Double(published.count) >= 0.8 * (900 - 60) / cycle, "seed \(seed): \(published.count) ratios")
        }
    }

    @Test func theBugFromTheStartReadsTwoWithinAMinute() {
        for seed in UInt64(1)...5 {
            let published = simulate(SimulatedRouter(commitInterval: 1, copies: 2), cycle: 15, seconds: 300, seed: seed)
            #expect(published.allSatisfy { $0.holds(truth: 2) }, "seed \(seed): \(published.prefix(3))")
            #expect((published.first?.time ?? .infinity) <= 60, "seed \(seed): first at \(published.first?.time ?? -1) s")
        }
    }
}

extension Array where Element == Double {
    /// The index of the first element for which `belongs` holds, in an array where it holds for a
    /// suffix.
    fileprivate func partitioningIndex(where belongs: (Double) -> Bool) -> Int {
        var (low, high) = (0, count)
        while low < high {
            let middle = (low + high) / 2
            if belongs(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
