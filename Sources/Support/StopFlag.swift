import Synchronization

/// A flag one thread raises to ask others to stop; shareable by reference.
package final class StopFlag: Sendable {
    private let raised = Atomic<Bool>(false)

    package init() {}

    package func raise() {
        raised.store(true, ordering: .releasing)
    }

    package var isRaised: Bool {
        raised.load(ordering: .acquiring)
    }
}
