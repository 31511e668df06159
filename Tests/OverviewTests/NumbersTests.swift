@testable import Overview
import Testing

/// The page's numbers, as `String(format:)` wrote them before Numbers formatted with C's printf.
@Suite struct NumbersTests {
    @Test func formatGroupsThousandsAndKeepsFractionsShort() {
        #expect([0.25, 12.5, 3, 1234, -1_234_567, 0.004, 99.95, 2e15, -0.5, .nan].map(Numbers.format)
            == ["0.25", "12.5", "3", "1,234", "-1,234,567", "0.00", "100.0", "2e+15", "-0.50", "–"])
    }

    @Test func ratiosBoundsAndPercents() {
        #expect([2.0, 1.96, 0.049].map(Numbers.ratio) == ["2.0", "2.0", "0.0"])
        #expect([0.05, 0.004].map(Numbers.ratioBound) == ["0.05", "0.00"])
        #expect([0.5, 0.015, 0.0004, 1.0, 0.0995, 0.12345].map(Numbers.percent) == ["50 %", "1.5 %", "0 %", "100 %", "10.0 %", "12 %"])
    }

    @Test func axisLabels() {
        #expect([0, 2.5, 400, 1234, 3e6, 0.05, 12.5, -7.25, 1.25e9].map(Numbers.axis) == ["0", "2.5", "400", "1.2k", "3M", "0.05", "12", "-7.2", "1.2G"])
    }
}
