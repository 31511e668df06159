import Duplicates
import Foundation
import Testing
import TestSupport

@Suite struct DuplicateWindowTests {
    private let start = Date(timeIntervalSince1970: 1_700_000_000)

    @Test func repeatsWithinTheWindowAreDuplicatesAndOlderOnesAreNot() {
        var window = DuplicateWindow(window: .seconds(60), samplingFactor: 1, maxEntries: 100)
        let first = window.observe(42, at: start)
        let second = window.observe(42, at: start.addingTimeInterval(30))
        // Last seen at +30 s: at +100 s that is 70 s ago, outside the 60 s window.
        let third = window.observe(42, at: start.addingTimeInterval(100))
        #expect([first, second, third] == [false, true, false])
        #expect(window.duplicatesTotal == 1 && window.sampledTotal == 3)
    }

    @Test func everyRecordTwiceGivesARatioOfOneHalf() {
        var window = DuplicateWindow(window: .seconds(600), samplingFactor: 1, maxEntries: 10_000)
        for record in 0..<1000 {
            let time = start.addingTimeInterval(Double(record) * 0.1)
            window.observe(UInt64(record), at: time)
            window.observe(UInt64(record), at: time)
        }
        let counts = window.counts(at: start.addingTimeInterval(100))
        let later = window.counts(at: start.addingTimeInterval(2000))
        #expect(counts.sampled == 2000 && counts.duplicates == 1000 && counts.ratio == 0.5)
        #expect(later.ratio == nil && later.publishedRatio == nil)
    }

    /// Every record arrives twice; the sample is one record in 8. Whatever the sample picks, it must
    /// hold both copies of a record or neither, so the sampled ratio stays exactly 1/2 — a sample that
    /// kept copies independently would see some first copies without their second and fall below it.
    @Test func consistentSamplingKeepsBothCopiesOfADuplicateOrNeither() {
        var window = DuplicateWindow(window: .seconds(600), samplingFactor: 8, maxEntries: 100_000)
        var generator = SeededGenerator(state: 7)
        let records = (0..<4000).map { _ in generator.next() }
        for (index, hash) in records.enumerated() {
            let time = start.addingTimeInterval(Double(index) * 0.01)
            for _ in 0..<2 where window.samples(hash) { window.observe(hash, at: time) }
        }
        // Whichever records the sample holds, it holds both of their copies: half of it repeats.
        #expect(window.sampledTotal == 2 * window.duplicatesTotal)
        #expect(window.counts(at: start.addingTimeInterval(40)).ratio == 0.5)
        // About one record in 8 (4000 / 8 = 500, binomial σ ≈ 21): the sample is neither all nor none.
        #expect((400...600).contains(window.duplicatesTotal))
    }

    @Test func memoryStaysBoundedByRaisingTheSamplingFactor() {
        var window = DuplicateWindow(window: .seconds(600), samplingFactor: 1, maxEntries: 1000)
        var hash: UInt64 = 0
        for index in 0..<100_000 {
            hash &+= 0x9E37_79B9_7F4A_7C15
            if window.samples(hash) { window.observe(hash, at: start.addingTimeInterval(Double(index) / 1000)) }
        }
        // The hashes are k·C (C odd) for k = 1...100 000, so k·C is a multiple of 2^j exactly when k is:
        // at factor 64 the 1001st kept hash is k = 64 064, which doubles the factor to 128; from then
        // on at most 100 000 / 128 = 781 hashes are kept.
        #expect(window.samplingFactor == 128)
        #expect(window.entries == 781)
    }
}
