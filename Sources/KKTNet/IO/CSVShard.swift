/// One process's contiguous share of a CSV file's data rows, read without holding the whole file: rank r of
/// K gets the rows ⌊r·m/K⌋ ..< ⌊(r+1)·m/K⌋ (counted from 0, the header not counted), so the K shares
/// partition the m rows in file order and differ in size by at most one row.
///
/// Reading takes two streaming passes through ``LineReader``. The first checks the whole file as
/// ``CSVTable/parse(_:)`` does — UTF-8, the header, no blank line between rows, each row as many cells as
/// the header — and counts m; the second keeps the cells of this shard's rows only. The errors are
/// ``CSVTable/parse(_:)``'s sentences, in the order it meets them, attributed to the file.
///
/// - Complexity: O(file size) time on every rank for the first pass; memory O(1 MiB + the longest line +
///   this shard's cells).
public struct CSVShard: Sendable {
  /// The column names of the header, trimmed.
  public let header: [String]
  /// m, the number of data rows in the whole file.
  public let rowCount: Int
  /// The data rows of this shard, counted from 0: ``rowRange(rank:of:rowCount:)``.
  public let rows: Range<Int>
  /// This shard's rows as a table (with the line number of each row; row d is on line d + 2).
  public let table: CSVTable

  /// The rows ⌊r·m/K⌋ ..< ⌊(r+1)·m/K⌋ of rank r among K (products taken at double width, so no overflow).
  public static func rowRange(rank: Int, of size: Int, rowCount: Int) -> Range<Int> {
    precondition(size > 0 && rank >= 0 && rank < size, "rank \(rank) is not one of \(size) ranks")
    precondition(rowCount >= 0, "a row count cannot be negative")
    func boundary(_ r: Int) -> Int { size.dividingFullWidth(r.multipliedFullWidth(by: rowCount)).quotient }
    return boundary(rank)..<boundary(rank + 1)
  }

  /// Reads rank `rank`'s share of the CSV file at `path`, for `size` ranks in all.
  ///
  /// - Throws: ``ShardReadError`` of stage ``ShardReadError/Stage/file``: the file cannot be read, or it
  ///   breaks a rule of ``CSVTable/parse(_:)``.
  public static func read(path: String, rank: Int, of size: Int) throws(ShardReadError) -> CSVShard {
    try read(path: path, rank: rank, of: size, blockSize: LineReader.blockSize)
  }

  /// ``read(path:rank:of:)`` reading `blockSize` bytes at a time.
  static func read(path: String, rank: Int, of size: Int, blockSize: Int) throws(ShardReadError) -> CSVShard {
    do {
      let (header, rowCount) = try scan(path, blockSize: blockSize)
      let rows = rowRange(rank: rank, of: size, rowCount: rowCount)
      let kept = try rowsOfShard(path, rows: rows, columnCount: header.count, blockSize: blockSize)
      return CSVShard(header: header, rowCount: rowCount, rows: rows, table: CSVTable(header: header, rows: kept))
    } catch {
      throw ShardReadError(stage: .file, line: 0, error: error.file == nil ? error.inFile(path) : error)
    }
  }

  /// The UTF-8 text of a line, without the byte-order mark of line 1; nil when not UTF-8. UTF-8 checked
  /// line by line is UTF-8 checked as a whole: the bytes of a line end never occur inside a multi-byte
  /// sequence.
  private static func text(_ bytes: UnsafeBufferPointer<UInt8>, line: Int) -> Substring? {
    guard let text = String(validating: bytes, as: UTF8.self) else { return nil }
    return line == 1 && text.hasPrefix("\u{FEFF}") ? Substring(text).dropFirst() : Substring(text)
  }

  private static let notUTF8 = InputError("the file is not UTF-8 text")

  /// The first pass: the header and m, with the first error that ``CSVTable/parse(_:)`` would throw. A
  /// structural error is kept while the rest of the file is checked for UTF-8, which parse checks first.
  private static func scan(_ path: String, blockSize: Int) throws(InputError) -> (header: [String], rowCount: Int) {
    var lines = try LineReader(path: path, blockSize: blockSize)
    var header: [String]?
    var blankHeader: Substring?  // line 1 when blank: an error only if a row follows
    var firstBlank: Int?  // the first blank line after the last row seen
    var rowCount = 0
    var failure: InputError?
    while let valid = try lines.next({ (number, bytes) throws(InputError) -> Bool in
      guard let line = text(bytes, line: number) else { return false }
      guard failure == nil else { return true }
      do throws(InputError) {
        if number == 1 {
          if CSVTable.isBlank(line) { blankHeader = line } else { header = try CSVTable.header(of: line) }
          return true
        }
        if CSVTable.isBlank(line) {
          firstBlank = firstBlank ?? number
          return true
        }
        if let blank = blankHeader { header = try CSVTable.header(of: blank) }
        if let blank = firstBlank { throw CSVTable.emptyLine(blank) }
        _ = try CSVTable.cells(of: line, line: number, columnCount: header!.count)
        rowCount += 1
      } catch {
        failure = error
      }
      return true
    }) {
      guard valid else { throw notUTF8 }
    }
    if let failure { throw failure }
    guard let header else { throw CSVTable.emptyFile }
    guard rowCount > 0 else { throw CSVTable.noDataRows }
    return (header, rowCount)
  }

  /// The second pass: the cells of the rows in `rows` (row d on line d + 2), stopping after the last.
  private static func rowsOfShard(_ path: String, rows: Range<Int>, columnCount: Int, blockSize: Int) throws(InputError)
    -> [(line: Int, cells: [String])]
  {
    var kept: [(line: Int, cells: [String])] = []
    kept.reserveCapacity(rows.count)
    guard !rows.isEmpty else { return kept }
    let lineRange = (rows.lowerBound + 2)..<(rows.upperBound + 2)
    var lines = try LineReader(path: path, blockSize: blockSize)
    while kept.count < rows.count {
      let more = try lines.next { (number, bytes) throws(InputError) -> Bool in
        guard lineRange.contains(number) else { return true }
        guard let line = text(bytes, line: number) else { throw notUTF8 }
        kept.append((number, try CSVTable.cells(of: line, line: number, columnCount: columnCount)))
        return true
      }
      guard more != nil else { throw InputError("the file changed while it was read: it ended early") }
    }
    return kept
  }
}
