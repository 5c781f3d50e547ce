import Foundation
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The temporary files of ``AtomicFile`` — `.NAME.tmp-PID-N` beside the file they become — and the two
/// guarantees about them: SIGINT and SIGTERM never leave one behind (a signal that arrives while one
/// exists waits until it is renamed or removed), and one left by a killed process (SIGKILL, a crash) is
/// removed by the next KKTNet process that writes into that folder.
extension AtomicFile {
  /// Writes between creating their temporary file and renaming or removing it.
  static let writesInProgress = Atomic<Int>(0)
  /// A termination signal that arrived during such a write, or 0.
  static let pendingSignal = Atomic<Int32>(0)
  /// The N of the next temporary file.
  static let nextTemporary = Atomic<Int>(0)
  /// The folders already swept of stale temporary files by this process.
  nonisolated(unsafe) static var sweptFolders: Set<String> = []
  /// The signals the process was started with ignored, found by the first ``exitOnTerminationSignals()``.
  nonisolated(unsafe) static var ignoredAtStart: Set<Int32>?

  /// Makes SIGINT and SIGTERM end the process with exit status 128 + the signal (130, 143) — at once,
  /// or, when one arrives while a file is being written, as soon as that write has renamed or removed its
  /// temporary file. A signal the process was started with ignored (a background job's SIGINT) stays
  /// ignored. Call it again after another handler (a training run's) is done.
  public static func exitOnTerminationSignals() {
    // Touch the globals here, so that the handler only reads what is already initialized.
    _ = writesInProgress.load(ordering: .sequentiallyConsistent)
    _ = pendingSignal.load(ordering: .sequentiallyConsistent)
    if ignoredAtStart == nil {
      ignoredAtStart = Set(
        [SIGINT, SIGTERM].filter { number in
          let previous = signal(number, SIG_DFL)
          return previous.map { unsafeBitCast($0, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self) } ?? false
        })
    }
    // A parent may hand down the two signals blocked (a test runner's threads do); they would then
    // never arrive.
    var unblocked = sigset_t()
    sigemptyset(&unblocked)
    for number in [SIGINT, SIGTERM] {
      signal(number, ignoredAtStart!.contains(number) ? SIG_IGN : terminationHandler)
      sigaddset(&unblocked, number)
    }
    pthread_sigmask(SIG_UNBLOCK, &unblocked, nil)
  }

  /// Marks the start of a write that will create a temporary file; ends the process first if a signal
  /// is already waiting.
  static func beginWrite() {
    writesInProgress.add(1, ordering: .sequentiallyConsistent)
    let number = pendingSignal.load(ordering: .sequentiallyConsistent)
    if number != 0 { _exit(128 + number) }
  }

  /// Marks the end of that write (its temporary file renamed or removed); a signal that arrived during
  /// it now ends the process.
  static func endWrite() {
    let left = writesInProgress.subtract(1, ordering: .sequentiallyConsistent).newValue
    let number = pendingSignal.load(ordering: .sequentiallyConsistent)
    if left == 0 && number != 0 { _exit(128 + number) }
  }

  /// A fresh temporary name for `name`: `.NAME.tmp-PID-N`, with NAME shortened to keep within the
  /// 255 bytes a file name may have.
  static func temporaryName(for name: String) -> String {
    let n = nextTemporary.add(1, ordering: .relaxed).newValue
    var base = name
    while base.utf8.count > 200 { base.removeLast() }
    return ".\(base).tmp-\(getpid())-\(n)"
  }

  /// The PID in a name of the form `.NAME.tmp-PID-N`, or nil.
  static func temporaryOwner(_ name: String) -> Int32? {
    guard name.hasPrefix("."), let marker = name.range(of: ".tmp-", options: .backwards),
      marker.lowerBound > name.index(after: name.startIndex)
    else { return nil }
    let parts = name[marker.upperBound...].split(separator: "-", omittingEmptySubsequences: false)
    guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
      let pid = Int32(parts[0]), pid > 0, Int(parts[1]) != nil
    else { return nil }
    return pid
  }

  /// Removes, once per folder and process, the temporary files of KKTNet processes that are no longer
  /// running (killed before they could rename or remove them). Files of running processes, and anything
  /// that is not a regular file of that form, are left alone.
  public static func removeStaleTemporaryFiles(in folder: String) {
    guard sweptFolders.insert(folder).inserted,
      let names = try? FileManager.default.contentsOfDirectory(atPath: folder)
    else { return }
    let me = getpid()
    for name in names {
      guard let pid = temporaryOwner(name), pid != me, kill(pid, 0) != 0, errno == ESRCH else { continue }
      let path = folder + "/" + name
      var info = stat()
      guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
      unlink(path)
    }
  }
}

/// SIGINT or SIGTERM: end now, unless a write holds a temporary file; then that write ends the process.
private let terminationHandler: @convention(c) (Int32) -> Void = { number in
  AtomicFile.pendingSignal.store(number, ordering: .sequentiallyConsistent)
  if AtomicFile.writesInProgress.load(ordering: .sequentiallyConsistent) == 0 { _exit(128 + number) }
}
