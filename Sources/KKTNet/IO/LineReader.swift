import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A file's lines, read one at a time through a block buffer, so that a file larger than memory can be
/// scanned: the memory held is one block (1 MiB), or twice the longest line when that is longer.
///
/// Lines end at `\n`, `\r\n` or `\r`, as ``CSVTable/parse(_:)`` splits them (Swift's `split` on those three
/// Characters: grapheme breaking never joins a line end to a neighbour, Unicode UAX #29 rules GB3–GB5).
/// Like that split, a file of L line ends has L + 1 lines, the last one possibly empty.
struct LineReader: ~Copyable {
  private let descriptor: Int32
  private let path: String
  /// Bytes `start..<end` of `buffer` are read and not yet returned.
  private var buffer: [UInt8]
  private var start = 0
  private var end = 0
  private var endOfFile = false
  private var finished = false
  /// The 1-based number of the line that `next()` returns next.
  private(set) var lineNumber = 1

  /// The bytes read at a time: 1 MiB (tests pass smaller blocks to reach every boundary case).
  static let blockSize = 1 << 20

  /// Opens `path` for reading, with the sentences of ``AtomicFile/read(_:)``.
  init(path: String, blockSize: Int = LineReader.blockSize) throws(InputError) {
    precondition(blockSize > 0, "a block holds at least one byte")
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
      throw InputError(file: path, "no such file")
    }
    guard !isFolder.boolValue else { throw InputError(file: path, "is a folder, not a file") }
    let descriptor = open(path, O_RDONLY)
    guard descriptor >= 0 else { throw InputError(file: path, "the file cannot be read") }
    self.descriptor = descriptor
    self.path = path
    buffer = [UInt8](repeating: 0, count: blockSize)
  }

  deinit { close(descriptor) }

  /// Calls `body` with the next line's number and bytes (without its line end), valid only during the call;
  /// returns nil, without calling `body`, after the last line.
  mutating func next<Result>(
    _ body: (_ number: Int, _ bytes: UnsafeBufferPointer<UInt8>) throws(InputError) -> Result
  ) throws(InputError) -> Result? {
    guard !finished else { return nil }
    var scanned = 0  // bytes after `start` known to hold no line end
    while true {
      if let index = firstLineEnd(from: start + scanned) {
        // A \r at the end of the bytes read so far may be the first half of \r\n.
        if buffer[index] == 13 && index + 1 == end && !endOfFile {
          scanned = index - start
          try refill()
          continue
        }
        let lineEndLength = buffer[index] == 13 && index + 1 < end && buffer[index + 1] == 10 ? 2 : 1
        let result = try deliver(start..<index, body)
        start = index + lineEndLength
        return result
      }
      if endOfFile {
        finished = true
        return try deliver(start..<end, body)
      }
      scanned = end - start
      try refill()
    }
  }

  private func firstLineEnd(from index: Int) -> Int? {
    var i = index
    while i < end {
      if buffer[i] == 10 || buffer[i] == 13 { return i }
      i += 1
    }
    return nil
  }

  private mutating func deliver<Result>(
    _ range: Range<Int>, _ body: (Int, UnsafeBufferPointer<UInt8>) throws(InputError) -> Result
  ) throws(InputError) -> Result {
    let number = lineNumber
    lineNumber += 1
    return try buffer.withUnsafeBufferPointer { (all) throws(InputError) -> Result in
      try body(number, UnsafeBufferPointer(rebasing: all[range]))
    }
  }

  /// Moves the unread bytes to the front (growing the buffer when a line fills it) and reads one more block.
  private mutating func refill() throws(InputError) {
    if start > 0 {
      buffer.withUnsafeMutableBufferPointer { all in
        _ = memmove(all.baseAddress!, all.baseAddress! + start, end - start)
      }
      end -= start
      start = 0
    }
    if end == buffer.count { buffer.append(contentsOf: repeatElement(0, count: buffer.count)) }
    while true {
      let count = buffer.withUnsafeMutableBufferPointer { all in
        read(descriptor, all.baseAddress! + end, all.count - end)
      }
      if count < 0 && errno == EINTR { continue }
      guard count >= 0 else { throw InputError(file: path, "the file cannot be read") }
      if count == 0 { endOfFile = true }
      end += count
      return
    }
  }
}
