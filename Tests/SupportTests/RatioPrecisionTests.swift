import Support
import Testing

/// The bounds behind the published ratios, against their closed forms: for a share of 0 the Wilson
/// interval is [0, z² / (n + z²)], for a share of 1/2 its half-width is z / (2 √(n + z²)).
@Suite struct RatioPrecisionTests {
    private let z = 1.959_963_984_540_054

    @Test func aShareOfNoneIsBoundedByTheWilsonUpperEnd() {
        for samples in [1.0, 10, 35, 1000] {
            #expect(abs(RatioPrecision.shareBound(0, samples: samples) - z * z / (samples + z * z)) < 1e-12)
        }
        // 9 z² = 34.6: a healthy topic needs 35 records for its ratio of 0 to be published.
        #expect(RatioPrecision.shareBound(0, samples: 34) > RatioPrecision.publishedWithin)
        #expect(RatioPrecision.shareBound(0, samples: 35) <= RatioPrecision.publishedWithin)
    }

    @Test func aShareOfOneHalfIsBoundedByTheHalfWidth() {
        for samples in [4.0, 93, 400] {
            #expect(abs(RatioPrecision.shareBound(0.5, samples: samples) - z / (2 * (samples + z * z).squareRoot())) < 1e-12)
        }
        // 24 z² = 92.2: every record written twice needs 93 records for its ratio of 1/2.
        #expect(RatioPrecision.shareBound(0.5, samples: 92) > RatioPrecision.publishedWithin)
        #expect(RatioPrecision.shareBound(0.5, samples: 93) <= RatioPrecision.publishedWithin)
    }

    @Test func aShareIsNeverBoundedWithoutSamples() {
        #expect(RatioPrecision.shareBound(0, samples: 0) == .infinity)
    }

    @Test func aCountRatioIsBoundedByTheRecordsItCannotPlace() {
        // 2.0 measured over 100 records with 4 unplaced: the truth lies in 2 / (1 ± 4/100), the far end 2 / 0.96.
        #expect(abs(RatioPrecision.countRatioBound(2, counted: 100, uncertain: 4) - (2 / 0.96 - 2)) < 1e-12)
        #expect(RatioPrecision.countRatioBound(2, counted: 100, uncertain: 0) == 0)
        #expect(RatioPrecision.countRatioBound(2, counted: 4, uncertain: 4) == .infinity)
    }
}
