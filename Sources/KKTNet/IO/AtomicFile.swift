import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Whole-file reads and writes that never damage what is at the destination (coreutils' and rsync's
/// rules):
/// - a regular file is written to a temporary file in its folder, flushed to disk, given the old file's
///   mode and (where the process may) owner, and renamed over it — the destination is the old file or the
///   whole new one, never a partial file, whatever interrupts the write;
/// - a symbolic link is followed: its target is replaced, the link stays;
/// - a device or FIFO is written through, never replaced;
/// - a new file gets the mode 0666 less the umask.
/// SIGINT and SIGTERM leave no temporary file (``exitOnTerminationSignals()``), and those of killed
/// processes are swept (``removeStaleTemporaryFiles(in:)``).
public enum AtomicFile {
  /// Writes `bytes` to `path` as described above.
  ///
  /// - Throws: ``InputError`` naming the path when it cannot be written.
  public static func write(_ bytes: [UInt8], to path: String) throws(InputError) {
    let target = try OutputTarget.resolve(path)
    func failure(_ code: Int32) -> InputError {
      InputError(file: path, "cannot write the file: \(String(cString: strerror(code)))")
    }
    guard let (folder, name) = target.folderAndName else {
      let descriptor = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC)
      guard descriptor >= 0 else { throw failure(errno) }
      let code = writeAll(bytes, to: descriptor)
      close(descriptor)
      if code != 0 { throw failure(code) }
      return
    }
    removeStaleTemporaryFiles(in: folder)
    beginWrite()
    defer { endWrite() }
    let (temporary, descriptor) = try createTemporary(in: folder, for: name, path: path)
    if case .regularFile(_, let mode, let owner, let group) = target.kind {
      _ = fchown(descriptor, owner, group)  // allowed for root, or to a group the user is in; else kept as is
      _ = fchmod(descriptor, mode_t(mode))
    }
    var code = writeAll(bytes, to: descriptor)
    if code == 0 && fsync(descriptor) != 0 { code = errno }
    close(descriptor)
    if code == 0 && rename(temporary, folder + "/" + name) != 0 { code = errno }
    if code != 0 {
      unlink(temporary)
      throw failure(code)
    }
    let folderDescriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if folderDescriptor >= 0 {
      _ = fsync(folderDescriptor)
      close(folderDescriptor)
    }
  }

  /// Writes `text` as UTF-8 to `path` as ``write(_:to:)-([UInt8],_)`` does.
  public static func write(_ text: String, to path: String) throws(InputError) {
    try write(Array(text.utf8), to: path)
  }

  /// Checks, before a long computation, that ``write(_:to:)-([UInt8],_)`` will be able to write `path`:
  /// it resolves (``OutputTarget/resolve(_:)``), and a file can be created in its folder (tried, then
  /// removed) or, for a device, the device opens for writing. Stale temporary files in the folder are
  /// swept on the way.
  ///
  /// - Returns: the target, whose identity tells whether two paths name one file.
  /// - Throws: ``InputError`` naming the path and what is wrong.
  @discardableResult
  public static func checkWritable(_ path: String) throws(InputError) -> OutputTarget {
    let target = try OutputTarget.resolve(path)
    if let (folder, name) = target.folderAndName {
      removeStaleTemporaryFiles(in: folder)
      beginWrite()
      defer { endWrite() }
      let (temporary, descriptor) = try createTemporary(in: folder, for: name, path: path)
      close(descriptor)
      unlink(temporary)
    } else if case .special(let special) = target.kind {
      var info = stat()
      // Opening a FIFO would block for a reader (and closing it would end the reader's input): not tried.
      if stat(special, &info) == 0, info.st_mode & S_IFMT != S_IFIFO {
        let descriptor = open(special, O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
          throw InputError(file: path, "cannot write the file: \(String(cString: strerror(errno)))")
        }
        close(descriptor)
      }
    }
    return target
  }

  /// Creates a new temporary file for `name` in `folder`, open for writing.
  private static func createTemporary(in folder: String, for name: String, path: String) throws(InputError) -> (
    String, Int32
  ) {
    while true {
      let temporary = folder + "/" + temporaryName(for: name)
      let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
      if descriptor >= 0 { return (temporary, descriptor) }
      if errno != EEXIST {
        throw InputError(file: path, "cannot write the file: \(String(cString: strerror(errno)))")
      }
    }
  }

  /// Writes every byte, retrying after EINTR and short writes; 0 or the errno of the failure.
  private static func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> Int32 {
    bytes.withUnsafeBytes { buffer in
      var written = 0
      while written < buffer.count {
        let result = Glibc.write(descriptor, buffer.baseAddress! + written, buffer.count - written)
        if result < 0 {
          if errno == EINTR || errno == EAGAIN { continue }
          return errno
        }
        written += result
      }
      return 0
    }
  }

  /// The most bytes read from a device or a pipe, whose length is not known in advance.
  public static let streamLimit = 1 << 30

  /// The whole contents of `path`: a regular file, or a device or pipe up to ``streamLimit`` bytes.
  ///
  /// - Throws: ``InputError`` naming the path when it does not exist, is a folder, cannot be read, or is
  ///   larger than the process may hold. (A regular file that grows while it is read is read to the length
  ///   it had when it was opened.)
  public static func read(_ path: String) throws(InputError) -> [UInt8] {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else {
      let code = errno
      if code == ENOENT { throw InputError(file: path, "no such file") }
      if code == EISDIR { throw InputError(file: path, "is a folder, not a file") }
      throw InputError(file: path, "the file cannot be read: \(String(cString: strerror(code)))")
    }
    defer { close(descriptor) }
    var info = stat()
    guard fstat(descriptor, &info) == 0 else { throw InputError(file: path, "the file cannot be read") }
    if info.st_mode & S_IFMT == S_IFDIR { throw InputError(file: path, "is a folder, not a file") }
    let regular = info.st_mode & S_IFMT == S_IFREG
    let size = regular ? Int(info.st_size) : 1 << 16
    if size > MemoryLimit.allowed {
      throw InputError(
        file: path,
        "the file is \(MemoryEstimate(bytes: size)), more than this machine allows (\(MemoryEstimate(bytes: MemoryLimit.allowed)))"
      )
    }
    var bytes = [UInt8](repeating: 0, count: max(size, 1))
    var count = 0
    while !regular || count < size {
      if count == bytes.count {
        guard bytes.count < streamLimit else {
          throw InputError(
            file: path, "is longer than \(MemoryEstimate(bytes: streamLimit)), the most read from a device or pipe")
        }
        bytes += [UInt8](repeating: 0, count: bytes.count)
      }
      let result = bytes.withUnsafeMutableBytes { buffer in
        Glibc.read(descriptor, buffer.baseAddress! + count, buffer.count - count)
      }
      if result < 0 {
        if errno == EINTR || errno == EAGAIN { continue }
        throw InputError(file: path, "the file cannot be read: \(String(cString: strerror(errno)))")
      }
      if result == 0 { break }
      count += result
    }
    bytes.removeSubrange(count...)
    return bytes
  }
}
