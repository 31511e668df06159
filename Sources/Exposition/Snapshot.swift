import Foundation
import Synchronization

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

/// One family's exposition: its HELP and TYPE lines in each format, and its samples, which are the
/// same bytes in both.
struct RenderedFamily: Sendable {
    let textMetadata: Body
    let openMetricsMetadata: Body
    let samples: Body
}

/// Everything a scrape can be answered with: the exposition in both formats, plain and gzip-compressed.
/// It holds each family's rendered bytes once; a whole body (a format, plain or compressed) is built from
/// them the first time it is asked for and kept for this snapshot. The registry builds ahead the bodies
/// scrapers asked for recently, so a scrape normally finds its body ready and never renders; bodies no
/// one asks for (OpenMetrics for a text-only scraper, plain text for Prometheus) cost no memory.
package final class Snapshot: Sendable {
    package let generation: UInt64
    package let createdAt: Date
    private let families: [RenderedFamily]
    private let demand: ScrapeDemand
    private let bodies = ExpositionFormat.allCases.flatMap { _ in [LazyBody(), LazyBody()] }

    init(generation: UInt64, createdAt: Date, families: [RenderedFamily], demand: ScrapeDemand) {
        self.generation = generation
        self.createdAt = createdAt
        self.families = families
        self.demand = demand
    }

    /// The body a scrape is answered with; counts as a request for it.
    package func body(_ format: ExpositionFormat, gzip: Bool) -> Body {
        let variant = BodyVariant(format: format, gzip: gzip)
        demand.record(variant)
        return body(variant)
    }

    /// Builds the bodies of `variants` ahead of any scrape.
    func prepare(_ variants: [BodyVariant]) {
        for variant in variants { _ = body(variant) }
    }

    private func body(_ variant: BodyVariant) -> Body {
        bodies[variant.index].value {
            let parts = parts(variant.format)
            return variant.gzip ? Gzip.compress(parts) : Body.joining(parts)
        }
    }

    private func parts(_ format: ExpositionFormat) -> [Body] {
        var parts: [Body] = []
        parts.reserveCapacity(families.count * 2 + 1)
        for family in families {
            parts.append(format == .text ? family.textMetadata : family.openMetricsMetadata)
            parts.append(family.samples)
        }
        if format == .openMetrics { parts.append(Self.openMetricsTrailer) }
        return parts
    }

    private static let openMetricsTrailer = Body(Array(ExpositionWriter(format: .openMetrics).trailer.utf8))

    package static let empty = Snapshot(generation: 0, createdAt: Date(timeIntervalSince1970: 0), families: [], demand: ScrapeDemand())
}

/// A body built at most once, by whoever first needs it.
private final class LazyBody: Sendable {
    private let built = Mutex<Body?>(nil)

    func value(_ build: () -> Body) -> Body {
        built.withLock { body in
            if let body { return body }
            let made = build()
            body = made
            return made
        }
    }
}

extension Body {
    static func joining(_ parts: [Body]) -> Body {
        var writer = ByteWriter(capacity: parts.reduce(0) { $0 + $1.count })
        for part in parts { writer.append(part) }
        return writer.finish()
    }
}
