import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// What this process may allocate, in bytes: the smallest of the machine's physical memory, the address
/// space left under the soft `RLIMIT_AS` (`ulimit -v`) beyond what is mapped now, and a cgroup v2 memory
/// limit (`/sys/fs/cgroup/memory.max`) when one is set. A large allocation is compared with it before it
/// is made (``MemoryEstimate/check(_:_:)``), so that asking for too much is a sentence, not an abort.
public enum MemoryLimit {
  /// The machine's physical memory.
  public static var physical: Int {
    let pages = sysconf(Int32(_SC_PHYS_PAGES))
    let size = sysconf(Int32(_SC_PAGESIZE))
    guard pages > 0 && size > 0 else { return Int.max }
    let (bytes, overflow) = pages.multipliedReportingOverflow(by: size)
    return overflow ? Int.max : bytes
  }

  /// The address space still free under the soft `RLIMIT_AS`, or nil when there is no such limit.
  public static var addressSpaceLeft: Int? {
    var limit = rlimit()
    #if canImport(Glibc)
      let resource = __rlimit_resource_t(RLIMIT_AS.rawValue)
    #else
      let resource = RLIMIT_AS
    #endif
    // RLIM_INFINITY is all ones, which Swift cannot import as a constant.
    guard getrlimit(resource, &limit) == 0, limit.rlim_cur != rlim_t.max else { return nil }
    let cap = limit.rlim_cur > rlim_t(Int.max) ? Int.max : Int(limit.rlim_cur)
    return max(cap - mappedNow, 0)
  }

  /// The cgroup's memory limit, or nil when there is none (or it cannot be read).
  public static var cgroupLimit: Int? {
    guard let text = try? String(contentsOfFile: "/sys/fs/cgroup/memory.max", encoding: .utf8),
      let bytes = Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
    else { return nil }
    return bytes
  }

  /// The bytes this process may still allocate.
  public static var allowed: Int {
    [physical, addressSpaceLeft, cgroupLimit].compactMap { $0 }.min() ?? Int.max
  }

  /// The address space mapped now (`/proc/self/statm`'s first field), 0 when it cannot be read.
  static var mappedNow: Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
      let pages = text.split(separator: " ").first.flatMap({ Int($0) })
    else { return 0 }
    return pages.multipliedReportingOverflow(by: max(sysconf(Int32(_SC_PAGESIZE)), 1)).partialValue
  }
}
