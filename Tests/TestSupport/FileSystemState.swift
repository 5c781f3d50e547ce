import Foundation
import KKTNet

#if canImport(Glibc)
  import Glibc
#endif

/// What a file-system entry is, by `lstat` (a symbolic link is itself, not its target).
public enum FileKind: Equatable, Sendable {
  case missing, regular, folder, symbolicLink, characterDevice, blockDevice, fifo, socket
}

/// The kind of the entry at `path`, not following a final symbolic link.
public func fileKind(_ path: String) -> FileKind {
  var info = stat()
  guard lstat(path, &info) == 0 else { return .missing }
  switch info.st_mode & S_IFMT {
  case S_IFREG: return .regular
  case S_IFDIR: return .folder
  case S_IFLNK: return .symbolicLink
  case S_IFCHR: return .characterDevice
  case S_IFBLK: return .blockDevice
  case S_IFIFO: return .fifo
  default: return .socket
  }
}

/// The permission bits of the file at `path` (following links), or nil.
public func fileMode(_ path: String) -> Int? {
  var info = stat()
  guard stat(path, &info) == 0 else { return nil }
  return Int(info.st_mode & 0o7777)
}

/// The names in `folder` that are KKTNet's temporary files, `.NAME.tmp-PID-N`.
public func temporaryFiles(in folder: URL) -> [String] {
  let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
  return names.filter { name in
    guard name.hasPrefix("."), let marker = name.range(of: ".tmp-", options: .backwards) else { return false }
    let parts = name[marker.upperBound...].split(separator: "-")
    return parts.count == 2 && parts.allSatisfy { $0.allSatisfy(\.isNumber) }
  }
}

/// The first line of a command's standard error.
public func firstLine(_ text: String) -> String {
  String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
}

/// The bytes of a file (empty when it cannot be read).
public func contents(_ path: String) -> [UInt8] {
  (FileManager.default.contents(atPath: path)).map { [UInt8]($0) } ?? []
}

/// Writes a small CSV file `name` in `folder` and returns its path.
@discardableResult
public func writeCSV(_ text: String, _ name: String, in folder: URL) throws -> String {
  let path = folder.appendingPathComponent(name).path
  try text.write(toFile: path, atomically: false, encoding: .utf8)
  return path
}

/// Writes a model file with these layer sizes, activations, loss and metadata (on top of KKTNet's own),
/// every weight `weight`, and returns its path.
@discardableResult
public func writeModel(
  _ name: String, in folder: URL, sizes: [Int], activations: [Activation], loss: Loss = .meanSquaredError,
  weight: Double = 0.5, metadata: [String: String] = [:]
) throws -> String {
  let architecture = try Architecture(layerSizes: sizes, activations: activations)
  let network = try Network(
    architecture: architecture, loss: loss,
    parameters: [Double](repeating: weight, count: architecture.parameterCount))
  var file = ModelFile(network: network).safetensors
  for (key, value) in metadata { file.metadata[key] = value }
  let path = folder.appendingPathComponent(name).path
  try Data(file.encoded()).write(to: URL(fileURLWithPath: path))
  return path
}
