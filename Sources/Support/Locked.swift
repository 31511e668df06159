#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value reached only under a lock, a `pthread_mutex_t`.
///
/// Synchronization's `Mutex` would do, but on Linux it locks with a futex inside the prebuilt
/// Synchronization library, which ThreadSanitizer cannot see: it then reports every access the lock
/// guards as a race (two threads adding to a `Mutex<[Int: Int]>` suffice), and `make test-memory`
/// runs ThreadSanitizer. `pthread_mutex_lock` is one of the calls it intercepts.
package final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    package init(_ value: Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        precondition(pthread_mutex_init(mutex, nil) == 0, "pthread_mutex_init failed")
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    package func withLock<Result, Failure: Error>(_ body: (inout Value) throws(Failure) -> Result) throws(Failure) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
