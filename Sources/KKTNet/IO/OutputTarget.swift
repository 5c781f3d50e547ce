import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// What writing to a path will do, found before anything is written: create a new file in a folder,
/// replace an existing regular file (the target of a symbolic link, not the link), or write through an
/// existing device or FIFO. Its ``identity`` says which file that is, so that two paths spelled
/// differently but naming one file can be told apart from two files.
public struct OutputTarget: Sendable {
  /// What kind of file the path names.
  public enum Kind: Sendable, Equatable {
    /// A file that does not exist yet, `name` in the (resolved) `folder`.
    case newFile(folder: String, name: String)
    /// An existing regular file at this resolved path, to be replaced with the same mode and owner.
    case regularFile(path: String, mode: UInt32, owner: UInt32, group: UInt32)
    /// A character or block device or a FIFO: written through, never replaced.
    case special(path: String)
  }

  /// What a write to the path does.
  public let kind: Kind
  /// Which file that is.
  public let identity: FileIdentity

  /// The folder and name of the file a replacing write creates and renames (nil for a special file).
  var folderAndName: (folder: String, name: String)? {
    switch kind {
    case .newFile(let folder, let name): return (folder, name)
    case .regularFile(let path, _, _, _):
      let url = URL(fileURLWithPath: path)
      return (url.deletingLastPathComponent().path, url.lastPathComponent)
    case .special: return nil
    }
  }

  /// Resolves `path` for writing, following symbolic links (a dangling one names the file to create).
  ///
  /// - Throws: ``InputError`` naming the path when it cannot be a file's: empty, a folder, a socket, a
  ///   missing or non-folder parent, a loop of links, a read-only file.
  public static func resolve(_ path: String) throws(InputError) -> OutputTarget {
    guard !path.isEmpty else { throw InputError("an output path is empty; give a file name") }
    func fail(_ message: String) -> InputError { InputError(file: path, "cannot write the file: " + message) }
    guard !path.hasSuffix("/") else { throw fail("the path ends with '/', which names a folder") }
    var info = stat()
    if stat(path, &info) == 0 {
      switch info.st_mode & S_IFMT {
      case S_IFDIR: throw InputError(file: path, "is a folder, not a file")
      case S_IFREG:
        guard let real = realPath(path) else { throw fail(String(cString: strerror(errno))) }
        guard access(real, W_OK) == 0 else { throw fail("the file is read-only") }
        return OutputTarget(
          kind: .regularFile(path: real, mode: UInt32(info.st_mode & 0o7777), owner: info.st_uid, group: info.st_gid),
          identity: FileIdentity(info))
      case S_IFCHR, S_IFBLK, S_IFIFO:
        return OutputTarget(kind: .special(path: path), identity: FileIdentity(info))
      default:
        throw fail("it is a socket, which KKTNet does not write to")
      }
    }
    // ENOTDIR: a folder on the way is a file, which the check of the folder below names.
    guard errno == ENOENT || errno == ENOTDIR else { throw fail(String(cString: strerror(errno))) }
    // Nothing there yet, or a dangling symbolic link: the file to create is at the end of the links.
    var end = path
    for _ in 0..<40 {
      var link = stat()
      guard lstat(end, &link) == 0, link.st_mode & S_IFMT == S_IFLNK else { return try newFile(end, spelled: path) }
      guard let destination = try? FileManager.default.destinationOfSymbolicLink(atPath: end) else {
        throw fail("its symbolic link cannot be read")
      }
      end =
        destination.hasPrefix("/")
        ? destination : URL(fileURLWithPath: end).deletingLastPathComponent().appendingPathComponent(destination).path
    }
    throw fail("too many levels of symbolic links")
  }

  /// A new file `end` (links already followed), checked to lie in an existing folder.
  private static func newFile(_ end: String, spelled path: String) throws(InputError) -> OutputTarget {
    let url = URL(fileURLWithPath: end)
    let name = url.lastPathComponent
    let folder = url.deletingLastPathComponent().path
    guard !name.isEmpty, name != ".", name != ".." else {
      throw InputError(file: path, "cannot write the file: it names a folder")
    }
    var info = stat()
    guard stat(folder, &info) == 0 else {
      throw InputError(file: path, "cannot write the file: the folder \(InputError.quotedPath(folder)) does not exist")
    }
    guard info.st_mode & S_IFMT == S_IFDIR else {
      throw InputError(file: path, "cannot write the file: \(InputError.quotedPath(folder)) is not a folder")
    }
    let resolved = realPath(folder) ?? folder
    return OutputTarget(kind: .newFile(folder: resolved, name: name), identity: FileIdentity(info, name: name))
  }

  static func realPath(_ path: String) -> String? {
    guard let resolved = realpath(path, nil) else { return nil }
    defer { free(resolved) }
    return String(cString: resolved)
  }
}

/// Which file a path names: the device and inode of an existing file, or those of the folder and the
/// name of a file that does not exist yet. Equal identities are one file, however the paths are spelled
/// (`./m.st`, `m.st`, a symbolic link or a hard link to it).
public struct FileIdentity: Hashable, Sendable {
  /// The device of the file (or of the folder of a file yet to be created).
  public let device: UInt64
  /// The inode of the file (or of the folder of a file yet to be created).
  public let inode: UInt64
  /// The name inside the folder (device, inode) for a file yet to be created; nil for an existing file.
  public let name: String?

  init(_ info: stat, name: String? = nil) {
    device = UInt64(info.st_dev)
    inode = UInt64(info.st_ino)
    self.name = name
  }

  /// The identity of an existing file (following links), or nil when there is none: an input that is
  /// missing is reported when it is read.
  public static func ofInput(_ path: String) -> FileIdentity? {
    var info = stat()
    guard !path.isEmpty, stat(path, &info) == 0 else { return nil }
    return FileIdentity(info)
  }
}
