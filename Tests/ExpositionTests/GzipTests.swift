import Exposition
import Testing

@Suite struct GzipTests {
    /// Pieces compressed separately (some of several parts) join into one gzip member that zlib reads
    /// back, checksum and length included, as their concatenation; inflating the pieces gives the same
    /// bytes. Sizes: empty pieces, pieces above one output step, random bytes that barely compress.
    @Test(arguments: [[0], [], [1, 0, 70_000, 0, 3], [300_000, 200_000, 1]])
    func segmentsJoinIntoOneMember(sizes: [Int]) {
        var generator = SystemRandomNumberGenerator()
        let parts = sizes.map { size in (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) } }
        let compressor = SegmentCompressor()
        let bodies = parts.map(Body.init)
        let segments = stride(from: 0, to: bodies.count, by: 2).map { compressor.segment(Array(bodies[$0..<min($0 + 2, bodies.count)])) }
        let member = Gzip.member(segments)
        #expect(Gzip.decompress(member.bytes) == parts.flatMap { $0 })
        #expect(Gzip.inflated(segments).bytes == parts.flatMap { $0 })
    }

    @Test func expositionTextCompressesWellInPieces() {
        let text = (0..<5_000).map { "kafka_topic_partition_current_offset{partition=\"\($0 % 10)\",topic=\"topic-\($0 / 10)\"} \($0 * 7)\n" }.joined()
        let segment = SegmentCompressor().segment([Body(Array(text.utf8))])
        #expect(segment.compressed.count < text.utf8.count / 5)
    }
}
