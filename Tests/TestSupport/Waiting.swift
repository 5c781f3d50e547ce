import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Polls `condition` every 10 ms until it holds or `seconds` have passed; whether it held. Tests wait for
/// the state they need this way instead of sleeping a fixed time.
public func waitUntil(seconds: Double, _ condition: () -> Bool) -> Bool {
  let deadline = Date().addingTimeInterval(seconds)
  while Date() < deadline {
    if condition() { return true }
    usleep(10_000)
  }
  return condition()
}

/// The device and inode of the file at `path` (nil when there is none): an atomic rename replaces both.
public func fileIdentity(_ path: String) -> [UInt64]? {
  var info = stat()
  guard stat(path, &info) == 0 else { return nil }
  return [UInt64(info.st_dev), UInt64(info.st_ino)]
}
