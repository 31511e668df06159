#if canImport(Glibc)
import CMalloc
#endif
import Support

/// Every cycle renders and compresses megabytes of exposition into fresh buffers and frees the previous
/// ones. glibc serves such sizes with mmap and returns them to the kernel on free, so each cycle pays
/// for zero-filling every page again; kept in the heap, the same memory is reused (BENCHMARKS.md shows
/// the render cost with and without). The price: the heap does not shrink below its peak on its own,
/// so the peak is what to keep small.
///
/// One arena: glibc otherwise gives threads that allocate at the same time arenas of their own (up to
/// 8 per core). `malloc_trim` returns only the main arena's free top to the kernel; another arena keeps
/// its free top up to M_TRIM_THRESHOLD, here 512 MiB. With two arenas, the 24 MiB of statistics a
/// 2000-client flood left in the HTTP threads' arena stayed resident after the clients expired; with
/// one, the resident size returns to the baseline, and cycles and scrapes cost the same (BENCHMARKS.md,
/// "One heap arena").
///
/// Both thresholds are fixed on purpose: setting either turns off glibc's dynamic mmap threshold, which
/// would otherwise rise and fall with what was freed last.
package enum AllocationPolicy {
    /// The settings the allocator refused when `reuseLargeBuffers` ran (another allocator than glibc's,
    /// such as a sanitizer's, refuses them all); the exporter logs them at start.
    package static let refused = Locked<[String]>([])

    /// Call first thing in `main`, before any thread starts: glibc's `mallopt` is not thread-safe.
    package static func reuseLargeBuffers() {
        #if canImport(Glibc)
        let settings: [(parameter: Int32, name: String, value: Int32)] = [
            (M_ARENA_MAX, "M_ARENA_MAX", 1),
            // glibc's maximum on 64-bit systems (HEAP_MAX_SIZE / 2); a larger value is refused.
            (M_MMAP_THRESHOLD, "M_MMAP_THRESHOLD", 32 << 20),
            (M_TRIM_THRESHOLD, "M_TRIM_THRESHOLD", 512 << 20),
        ]
        for setting in settings where mallopt(setting.parameter, setting.value) != 1 {
            refused.withLock { $0.append("\(setting.name)=\(setting.value)") }
        }
        #endif
    }

    /// Returns the heap's free memory to the kernel, after a large batch of data was dropped (e.g.
    /// thousands of expired clients), so the resident size goes back to what is in use.
    package static func returnFreeMemory() {
        #if canImport(Glibc)
        _ = malloc_trim(0)
        #endif
    }
}
