import Duplicates
import Foundation
import Testing

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
        let ratio = window.duplicateRatio(at: start.addingTimeInterval(100))
        let later = window.duplicateRatio(at: start.addingTimeInterval(2000))
        #expect(ratio == 0.5)
        #expect(later == nil)
    }

    @Test func consistentSamplingKeepsBothCopiesOfADuplicateOrNeither() {
        let window = DuplicateWindow(window: .seconds(60), samplingFactor: 8, maxEntries: 100)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<1000 {
            let hash = generator.next() as UInt64
            #expect(window.samples(hash) == window.samples(hash))
            #expect(window.samples(hash) == (hash % 8 == 0))
        }
    }

    @Test func memoryStaysBoundedByRaisingTheSamplingFactor() {
        var window = DuplicateWindow(window: .seconds(600), samplingFactor: 1, maxEntries: 1000)
        var hash: UInt64 = 0
        for index in 0..<100_000 {
            hash &+= 0x9E37_79B9_7F4A_7C15
            if window.samples(hash) { window.observe(hash, at: start.addingTimeInterval(Double(index) / 1000)) }
        }
        #expect(window.entries <= 1000)
        #expect(window.samplingFactor >= 64)
    }
}
