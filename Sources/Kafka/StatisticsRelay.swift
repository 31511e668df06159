import Support

/// Forwards statistics documents to a handler that exists only later (the demo's clients start
/// before the exporter that collects their statistics); documents before that are dropped.
package final class StatisticsRelay: Sendable {
    private let target = Locked<(@Sendable (String, [UInt8]) -> Void)?>(nil)

    package init() {}

    package func connect(_ handler: @escaping @Sendable (String, [UInt8]) -> Void) {
        target.withLock { $0 = handler }
    }

    @Sendable package func forward(_ clientName: String, _ json: [UInt8]) {
        target.withLock { $0 }?(clientName, json)
    }
}
