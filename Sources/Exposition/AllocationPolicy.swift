#if canImport(Glibc)
import CMalloc
#endif

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
package enum AllocationPolicy {
    package static func reuseLargeBuffers() {
        #if canImport(Glibc)
        _ = mallopt(M_ARENA_MAX, 1)
        _ = mallopt(M_MMAP_THRESHOLD, 256 << 20)
        _ = mallopt(M_TRIM_THRESHOLD, 512 << 20)
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
