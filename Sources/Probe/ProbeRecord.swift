
/// The value of a probe record: a marker, the exporter process's nonce (records of other exporters
/// sharing the topic, and of earlier runs, are skipped), the sequence number and the wall-clock time
/// it was sent (for people reading the topic; latencies use the monotonic clock of the one process).
package struct ProbeRecord: Sendable, Equatable {
    static let marker = Array("kxp1".utf8)
    static let size = marker.count + 24

    package let nonce: UInt64
    package let sequence: UInt64
    package let sentAtMilliseconds: Int64

    package init(nonce: UInt64, sequence: UInt64, sentAtMilliseconds: Int64) {
        (self.nonce, self.sequence, self.sentAtMilliseconds) = (nonce, sequence, sentAtMilliseconds)
    }

    package var bytes: [UInt8] {
        var bytes = Self.marker
        bytes.reserveCapacity(Self.size)
        for value in [nonce, sequence, UInt64(bitPattern: sentAtMilliseconds)] {
            withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
        }
        return bytes
    }

    /// Nil for anything that is not a probe record (someone else wrote to the topic).
    package init?(_ bytes: [UInt8]) {
        guard bytes.count == Self.size, bytes.starts(with: Self.marker) else { return nil }
        func word(_ index: Int) -> UInt64 {
            bytes[(Self.marker.count + index * 8)..<(Self.marker.count + index * 8 + 8)].reduce(0) { $0 << 8 | UInt64($1) }
        }
        self.init(nonce: word(0), sequence: word(1), sentAtMilliseconds: Int64(bitPattern: word(2)))
    }
}
