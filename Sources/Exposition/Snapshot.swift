import Foundation

/// Immutable bytes in stable memory, so that an HTTP server can send them without copying while a
/// reference keeps them alive.
package final class Body: Sendable {
    package let count: Int
    private nonisolated(unsafe) let storage: UnsafeMutableRawPointer

    package init(_ bytes: [UInt8]) {
        count = bytes.count
        storage = UnsafeMutableRawPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
        bytes.withUnsafeBytes { source in
            if let base = source.baseAddress { storage.copyMemory(from: base, byteCount: source.count) }
        }
    }

    /// Takes ownership of `storage`, which must come from `UnsafeMutablePointer.allocate`.
    init(adopting storage: UnsafeMutableRawPointer, count: Int) {
        self.storage = storage
        self.count = count
    }

    package var isEmpty: Bool { count == 0 }

    deinit {
        storage.deallocate()
    }

    package var baseAddress: UnsafeRawPointer { UnsafeRawPointer(storage) }

    package var bytes: [UInt8] {
        Array(UnsafeRawBufferPointer(start: storage, count: count))
    }

    package var string: String {
        String(decoding: UnsafeRawBufferPointer(start: storage, count: count), as: UTF8.self)
    }
}

/// Everything a scrape can be answered with: the exposition in both formats, plain and gzip-compressed,
/// rendered and compressed once when collectors publish, never per scrape.
package final class Snapshot: Sendable {
    package let generation: UInt64
    package let createdAt: Date
    private let plain: [Body]
    private let gzipped: [Body]

    init(generation: UInt64, createdAt: Date, text: Body, openMetrics: Body) {
        self.generation = generation
        self.createdAt = createdAt
        plain = [text, openMetrics]
        gzipped = [Gzip.compress(text), Gzip.compress(openMetrics)]
    }

    package func body(_ format: ExpositionFormat, gzip: Bool) -> Body {
        let index = format == .text ? 0 : 1
        return gzip ? gzipped[index] : plain[index]
    }

    package static let empty = Snapshot(
        generation: 0, createdAt: Date(timeIntervalSince1970: 0), text: Body([]), openMetrics: Body(Array("# EOF\n".utf8)))
}
