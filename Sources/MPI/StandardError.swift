#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writes `text` to file descriptor 2 in full, unbuffered, so that it is out before an abort.
func writeToStandardError(_ text: String) {
  var bytes = Array(text.utf8)
  var written = 0
  while written < bytes.count {
    let result = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress! + written, $0.count - written) }
    if result < 0 {
      if errno == EINTR { continue }
      return
    }
    written += result
  }
}
