import FoundationEssentials
import Support

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
/// same bytes in both. Large samples are kept compressed; small ones are compressed with their
/// neighbours when a gzip body is built (alone, they would compress poorly).
struct RenderedFamily: Sendable {
    enum Samples: Sendable {
        case plain(Body)
        case compressed(DeflateSegment)
    }

    /// Samples from this size on are kept compressed: a few per cycle (the per-partition families),
    /// which hold nearly all the bytes.
    static let compressedFrom = 64 * 1024

    let textMetadata: Body
    let openMetricsMetadata: Body
    let samples: Samples

    init(textMetadata: Body, openMetricsMetadata: Body, samples: Body, compressor: SegmentCompressor) {
        self.textMetadata = textMetadata
        self.openMetricsMetadata = openMetricsMetadata
        self.samples = samples.count >= Self.compressedFrom ? .compressed(compressor.segment([samples])) : .plain(samples)
    }

    func metadata(_ format: ExpositionFormat) -> Body {
        format == .text ? textMetadata : openMetricsMetadata
    }

    var count: Int {
        switch samples {
        case .plain(let body): body.count
        case .compressed(let segment): segment.count
        }
    }
}

/// Everything a scrape can be answered with: the exposition in both formats, plain and gzip-compressed.
/// It holds each family's rendered bytes once (large ones compressed); a whole body (a format, plain or
/// compressed) is built from them the first time it is asked for and kept for this snapshot: a gzip
/// body by joining the compressed pieces, a plain one by inflating them. The registry builds ahead the bodies
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
            variant.gzip ? gzipBody(variant.format) : plainBody(variant.format)
        }
    }

    /// Kept pieces copied as they are; runs of small ones between them compressed together.
    private func gzipBody(_ format: ExpositionFormat) -> Body {
        let compressor = SegmentCompressor()
        var segments: [DeflateSegment] = []
        var run: [Body] = []
        for family in families {
            run.append(family.metadata(format))
            switch family.samples {
            case .plain(let samples):
                run.append(samples)
            case .compressed(let segment):
                segments.append(compressor.segment(run))
                run = []
                segments.append(segment)
            }
        }
        if format == .openMetrics { run.append(Self.openMetricsTrailer) }
        segments.append(compressor.segment(run))
        return Gzip.member(segments)
    }

    private func plainBody(_ format: ExpositionFormat) -> Body {
        var writer = ByteWriter(capacity: families.reduce(16) { $0 + $1.metadata(format).count + $1.count })
        for family in families {
            writer.append(family.metadata(format))
            switch family.samples {
            case .plain(let samples): writer.append(samples)
            case .compressed(let segment): Gzip.appendInflated([segment], to: &writer)
            }
        }
        if format == .openMetrics { writer.append(Self.openMetricsTrailer) }
        return writer.finish()
    }

    private static let openMetricsTrailer = Body(Array(ExpositionWriter(format: .openMetrics).trailer.utf8))

    package static let empty = Snapshot(generation: 0, createdAt: Date(timeIntervalSince1970: 0), families: [], demand: ScrapeDemand())
}

/// A body built at most once, by whoever first needs it.
private final class LazyBody: Sendable {
    private let built = Locked<Body?>(nil)

    func value(_ build: () -> Body) -> Body {
        built.withLock { body in
            if let body { return body }
            let made = build()
            body = made
            return made
        }
    }
}

