import Cluster
@testable import RatesAndLag
import Testing
import TestSupport

@Suite struct ThinnedHistoryTests {
    @Test func anIdlePartitionCostsTwoPointsHoweverLongItIsIdle() {
        var history = ThinnedHistory<Int64>(capacity: 256)
        for second in stride(from: 0.0, through: 86_400, by: 15) { history.record(500, at: second) }
        #expect(history.values == [500, 500])
        #expect(history.times == [0, 86_400])
    }

    @Test func aRunOfEqualValuesKeepsItsFirstAndLastPoint() {
        var history = ThinnedHistory<Int64>(capacity: 256)
        for (second, offset) in [(0.0, 10), (2, 20), (4, 20), (6, 20), (8, 20), (10, 30)] as [(Double, Int64)] {
            history.record(offset, at: second)
        }
        #expect(history.values == [10, 20, 20, 30])
        #expect(history.times == [0, 2, 8, 10])
    }

    @Test(arguments: [1.0, 2.0, 15.0, 60.0])
    func gapsStayWithinTenPercentOfTheirAgeAndDaysFitInTheCapacity(interval: Double) {
        var history = ThinnedHistory<Int64>(capacity: 256)
        let end = 2 * 86_400.0
        var offset: Int64 = 0
        for second in stride(from: 0, through: end, by: interval) {
            offset += 7
            history.record(offset, at: second)
        }
        #expect(history.count <= 256)
        #expect(history.times.first == 0, "two days of busy history still fit")
        for index in 1..<history.count {
            let gap = history.times[index] - history.times[index - 1]
            let age = end - history.times[index]
            #expect(gap <= max(interval, 0.1 * age) + 1e-9, "gap \(gap) at age \(age)")
        }
    }

    @Test func theCapacityDropsTheOldestPoints() {
        var history = ThinnedHistory<Int64>(resolution: 0, capacity: 4)
        for second in 0..<10 { history.record(Int64(second), at: Double(second)) }
        #expect(history.values == [6, 7, 8, 9])
    }

    @Test func maxAgeKeepsOnlyThePointBeforeTheWindow() {
        var history = ThinnedHistory<Double>(resolution: 0, capacity: 100, maxAge: 10)
        for second in 0...30 { history.record(Double(second), at: Double(second)) }
        #expect(history.times.first == 20)
        #expect(history.count == 11)
    }

    @Test func aValueGoingDownOrTheClockSteppingBackStartsAfresh() {
        var history = ThinnedHistory<Int64>(capacity: 256)
        history.record(100, at: 0)
        history.record(200, at: 10)
        history.record(5, at: 20)
        #expect(history.values == [5])
        history.record(10, at: 30)
        history.record(20, at: 25)
        #expect(history.values == [20] && history.times == [25])
    }

    /// Production that switches every 10 minutes between idle, a trickle and bursts, collected every
    /// `interval` for two days: every lag estimate older than ten intervals is within 10 % of the truth.
    @Test(arguments: [2.0, 15.0])
    func lagInSecondsIsWithinTenPercentOnIrregularTraffic(interval: Double) {
        var random = SeededGenerator(state: 42)
        var history = ThinnedHistory<Int64>(capacity: 256)
        var producedAt: [Double] = []
        var rate = 0.0
        var worst = 0.0
        for second in stride(from: 0, through: 2 * 86_400, by: interval) {
            if second > 0, second.truncatingRemainder(dividingBy: 600) < interval {
                rate = [0, 0, 0.1, 1, 10, 100].randomElement(using: &random)!
            }
            let produced = Int(rate * interval)
            for index in 0..<produced {
                producedAt.append(second - interval + interval * Double(index + 1) / Double(produced))
            }
            history.record(Int64(producedAt.count), at: second)
            guard second >= 7200, second.truncatingRemainder(dividingBy: 1800) < interval, !producedAt.isEmpty else { continue }
            for _ in 0..<200 {
                let committed = Int.random(in: 0..<producedAt.count, using: &random)
                let truth = second - producedAt[committed]
                guard truth > 10 * interval, let estimate = history.lag(committed: Int64(committed)) else { continue }
                #expect(!estimate.isLowerBound)
                worst = max(worst, abs(estimate.seconds - truth) / truth)
            }
        }
        #expect(worst > 0 && worst <= 0.1)
    }
}
