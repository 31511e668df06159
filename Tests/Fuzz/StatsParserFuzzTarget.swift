// libFuzzer entry point for the statistics parser, compiled together with Sources/ClientStats/Parsing
// by scripts/fuzz-stats-parser (not a SwiftPM target: it needs -sanitize=fuzzer; see README.md here).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzStatisticsParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    do {
        let document = try StatisticsParser.parse(UnsafeRawBufferPointer(start: data, count: size))
        precondition(document.effectiveClientID != nil && document.type != nil, "accepted a document without client or type")
    } catch {
        precondition(error.offset >= 0 && error.offset <= size, "error offset \(error.offset) outside the input")
        _ = error.description
    }
    return 0
}
