import Exposition
import Testing

@Suite struct GzipTests {
    /// Parts compressed as one stream decompress to their concatenation, whatever their sizes: empty
    /// parts, parts larger than one output step, and output that must grow several times (random bytes
    /// barely compress).
    @Test(arguments: [[0], [], [1, 0, 70_000, 0, 3], [300_000, 200_000, 1]])
    func partsCompressToTheirConcatenation(sizes: [Int]) {
        var generator = SystemRandomNumberGenerator()
        let parts = sizes.map { size in (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) } }
        let compressed = Gzip.compress(parts.map(Body.init))
        #expect(Gzip.decompress(compressed.bytes) == parts.flatMap { $0 })
    }
}
