import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Whole-file reads and writes. A write goes to a temporary file in the destination's folder, is flushed
/// to disk, and is then renamed over the destination, so the destination is either the old file or the
/// whole new one — never a partial file, whatever interrupts the write.
public enum AtomicFile {
  /// Writes `bytes` to `path` atomically.
  ///
  /// - Throws: ``InputError`` naming the path when the folder cannot be written.
  public static func write(_ bytes: [UInt8], to path: String) throws(InputError) {
    let url = URL(fileURLWithPath: path)
    let folder = url.deletingLastPathComponent().path
    let temporary = folder + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o644)
    guard descriptor >= 0 else {
      throw InputError(file: path, "cannot write the file: \(String(cString: strerror(errno)))")
    }
    var written = 0
    var failure: Int32 = 0
    bytes.withUnsafeBytes { buffer in
      while written < buffer.count {
        let result = Glibc.write(descriptor, buffer.baseAddress! + written, buffer.count - written)
        if result < 0 {
          if errno == EINTR { continue }
          failure = errno
          return
        }
        written += result
      }
    }
    if failure == 0 && fsync(descriptor) != 0 { failure = errno }
    close(descriptor)
    if failure == 0 && rename(temporary, path) != 0 { failure = errno }
    if failure != 0 {
      unlink(temporary)
      throw InputError(file: path, "cannot write the file: \(String(cString: strerror(failure)))")
    }
  }

  /// Checks, before a long computation, that `write(_:to:)` will be able to create `path`: its folder
  /// exists, is a folder and can be written, and `path` is not itself a folder.
  ///
  /// - Throws: ``InputError`` naming the path and what is wrong.
  public static func checkWritable(_ path: String) throws(InputError) {
    let url = URL(fileURLWithPath: path)
    let folder = url.deletingLastPathComponent().path
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) else {
      throw InputError(file: path, "cannot write the file: the folder \(folder) does not exist")
    }
    guard isFolder.boolValue else { throw InputError(file: path, "cannot write the file: \(folder) is not a folder") }
    guard access(folder, W_OK) == 0 else {
      throw InputError(file: path, "cannot write the file: the folder \(folder) is not writable")
    }
    if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
      throw InputError(file: path, "is a folder, not a file")
    }
  }

  /// Writes `text` as UTF-8 to `path` atomically.
  public static func write(_ text: String, to path: String) throws(InputError) {
    try write(Array(text.utf8), to: path)
  }

  /// The whole contents of `path`.
  ///
  /// - Throws: ``InputError`` naming the path when it does not exist or cannot be read.
  public static func read(_ path: String) throws(InputError) -> [UInt8] {
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
      throw InputError(file: path, "no such file")
    }
    guard !isFolder.boolValue else { throw InputError(file: path, "is a folder, not a file") }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw InputError(file: path, "the file cannot be read")
    }
    return [UInt8](data)
  }
}
