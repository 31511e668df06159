#if canImport(Glibc)
import CMalloc
#endif

/// Every cycle renders and compresses megabytes of exposition into fresh buffers and frees the previous
/// ones. glibc serves such sizes with mmap and returns them to the kernel on free, so each cycle pays
/// for zero-filling every page again; kept in the heap, the same memory is reused (BENCHMARKS.md shows
/// the render cost with and without). The price: the heap does not shrink below its peak, so the peak
/// is what to keep small.
///
/// glibc also gives every thread that allocates its own arena (up to 8 per core), each keeping its own
/// free memory: the watermark and admin threads of a cycle spread the same data over many arenas.
/// Two arenas cut the resident size by ~10 % at 10k partitions with no measurable cost in a cycle.
package enum AllocationPolicy {
    package static func reuseLargeBuffers() {
        #if canImport(Glibc)
        _ = mallopt(M_ARENA_MAX, 2)
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
