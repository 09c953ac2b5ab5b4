#if canImport(Glibc)
    import Glibc
#endif

/// Arrays below this many bytes are made as usual (`Array(repeating:count:)`).
public let largeArrayThreshold = 8 << 20

/// An array of `count` copies of `value`, made for sizes of tens of megabytes and more (the cumulant
/// backend's packed vectors and N × N scratch, 10⁷–10⁸ numbers). Such an array is fresh memory: the
/// kernel clears each page on its first touch, one 4 KiB fault at a time, and on a virtual machine a
/// fault is dear — in a 4 000-dipole chain's steady state the clearing was 9 % of the CPU time and all
/// of it on one thread (`benchmarks/cumulant.sh`, 2026-12-04). Here the kernel is advised to back the
/// array with transparent huge pages (2 MiB, one fault each; advice it may ignore) and the array is
/// filled by `threads` threads, each touching its own pages. The contents do not depend on either.
public func largeArray<Element>(repeating value: Element, count: Int, threads: Int = 1) -> [Element] {
    let bytes = count * MemoryLayout<Element>.stride
    guard bytes >= largeArrayThreshold else { return Array(repeating: value, count: count) }
    return [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
        guard let base = buffer.baseAddress else { return }
        adviseHugePages(UnsafeMutableRawPointer(base), bytes: bytes)
        // Chunks of at least 4 MiB, so that small arrays are not split.
        let workers = max(1, min(threads, bytes / (4 << 20)))
        concurrentForEach(iterations: workers) { w in   // disjoint ranges
            let lo = w * count / workers, hi = (w + 1) * count / workers
            (base + lo).initialize(repeating: value, count: hi - lo)
        }
        initialized = count
    }
}

/// madvise(MADV_HUGEPAGE) on the whole pages inside [start, start + bytes) (Linux; elsewhere nothing).
func adviseHugePages(_ start: UnsafeMutableRawPointer, bytes: Int) {
    #if os(Linux)
        let page = 4096
        let address = Int(bitPattern: start)
        let first = (address + page - 1) / page * page
        let last = (address + bytes) / page * page
        guard last > first, let pointer = UnsafeMutableRawPointer(bitPattern: first) else { return }
        _ = madvise(pointer, last - first, MADV_HUGEPAGE)
    #endif
}
