import Foundation
import PropertyBased
import TestSupport
import Testing

@testable import KKTNet

/// The streaming shard reader against the whole-file reader: the same rows, split as ⌊r·m/K⌋, and the
/// same sentences for every malformed file.
@Suite("CSV shards")
struct CSVShardTests {
  /// Writes `bytes` to a fresh file and returns its path; the folder is removed by `cleanUp`.
  static func file(_ bytes: [UInt8], in folder: URL, name: String = "data.csv") throws -> String {
    let path = folder.appendingPathComponent(name).path
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
  }

  /// Every rank's shard, in rank order, read `blockSize` bytes at a time.
  static func shards(_ path: String, ranks: Int, blockSize: Int) throws(ShardReadError) -> [CSVShard] {
    var result: [CSVShard] = []
    for rank in 0..<ranks { result.append(try CSVShard.read(path: path, rank: rank, of: ranks, blockSize: blockSize)) }
    return result
  }

  /// Asserts that the K shards of `path` are CSVTable.parse's rows of it, cut at ⌊r·m/K⌋.
  static func expectShardsEqualTable(_ path: String, ranks: Int, blockSize: Int = 1 << 20, _ note: String = "") throws {
    let table = try CSVTable.parse(String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self))
    let shards = try shards(path, ranks: ranks, blockSize: blockSize)
    let m = table.rows.count
    for (rank, shard) in shards.enumerated() {
      #expect(shard.header == table.header, "\(note)")
      #expect(shard.rowCount == m, "\(note)")
      #expect(shard.rows == (rank * m / ranks)..<((rank + 1) * m / ranks), "\(note)")
    }
    let joined = shards.flatMap(\.table.rows)
    #expect(joined.map(\.line) == table.rows.map(\.line), "\(note)")
    #expect(joined.map(\.cells) == table.rows.map(\.cells), "\(note)")
  }

  @Test("rank r of K gets rows ⌊r·m/K⌋ ..< ⌊(r+1)·m/K⌋: contiguous, covering, sizes within one, no overflow")
  func rowRanges() {
    for m in 0...60 {
      for k in 1...7 {
        let ranges = (0..<k).map { CSVShard.rowRange(rank: $0, of: k, rowCount: m) }
        #expect(ranges.first!.lowerBound == 0 && ranges.last!.upperBound == m)
        #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
        let sizes = ranges.map(\.count)
        #expect(sizes.max()! - sizes.min()! <= 1)
        #expect(ranges.enumerated().allSatisfy { $0.element.lowerBound == $0.offset * m / k })
      }
    }
    let huge = Int.max / 2
    let ranges = (0..<3).map { CSVShard.rowRange(rank: $0, of: 3, rowCount: huge) }
    #expect(ranges.last!.upperBound == huge)
    #expect(ranges[1].lowerBound == huge / 3)
  }

  /// A valid CSV text from a seed: 1–4 columns, 1–30 rows, numbers in several spellings, quoted cells,
  /// each line ended by \n, \r\n or \r, sometimes a byte-order mark, trailing blank lines or no final end.
  static func randomCSV(_ seed: UInt64) -> String {
    var random = RandomSource(seed: seed)
    let columns = 1 + random.nextIndex(below: 4)
    let rows = 1 + random.nextIndex(below: 30)
    let ends = ["\n", "\r\n", "\r"]
    func end() -> String { ends[random.nextIndex(below: 3)] }
    func cell() -> String {
      let value = random.nextNormal() * [1, 1e-3, 1e5][random.nextIndex(below: 3)]
      switch random.nextIndex(below: 5) {
      case 0: return "\(value)"
      case 1: return " \(Int(value)) "
      case 2: return "\"\(value)\""
      case 3: return String(format: "%.3e", value)
      default: return "\(value)\t"
      }
    }
    var text = random.nextIndex(below: 4) == 0 ? "\u{FEFF}" : ""
    text += (0..<columns).map { random.nextIndex(below: 3) == 0 ? "\"c,\($0)\"" : "c\($0)" }.joined(separator: ",")
    for _ in 0..<rows { text += end() + (0..<columns).map { _ in cell() }.joined(separator: ",") }
    switch random.nextIndex(below: 3) {
    case 0: break
    case 1: text += end()
    default: text += end() + " \t" + end() + end()
    }
    return text
  }

  @Test("the K shards of a valid file are CSVTable.parse's rows of it, for K = 1…5, read in blocks of 1 to 9 bytes")
  func validFiles() async throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    await propertyCheck(count: 150, input: Gen<UInt64>.value(), Gen.int(in: 1...9)) { seed, block in
      let text = Self.randomCSV(seed)
      let path = try Self.file(Array(text.utf8), in: folder, name: "\(seed).csv")
      for k in 1...5 {
        try Self.expectShardsEqualTable(
          path, ranks: k, blockSize: block, "seed \(seed), \(k) ranks, blocks of \(block)")
      }
    }
  }

  /// Files that break one rule of the CSV structure each.
  static let malformed: [(name: String, bytes: [UInt8])] = [
    ("empty", []), ("byte-order mark only", Array("\u{FEFF}".utf8)), ("blank lines only", Array(" \n\t\r\n".utf8)),
    ("header only", Array("a,b\n".utf8)), ("header without a line end", Array("a,b".utf8)),
    ("empty column name", Array(" ,b\n1,2".utf8)), ("blank header before rows", Array("\n1,2\n3,4".utf8)),
    ("a name twice", Array("a,a\n1,2".utf8)), ("a header of numbers", Array("1,2\n3,4".utf8)),
    ("a blank line between rows", Array("a,b\n1,2\n\n3,4".utf8)),
    ("a blank line of spaces between rows", Array("a,b\r\n1,2\r\n \t\r\n3,4\r\n\r\n".utf8)),
    ("a short row", Array("a,b\n1,2\n3".utf8)), ("a long row", Array("a,b\r1,2\r3,4,5\r".utf8)),
    ("an unclosed quote", Array("a,b\n1,\"2\n3,4".utf8)), ("an unclosed quote in the header", Array("\"a,b\n1,2".utf8)),
    ("not UTF-8 after a short row", Array("a,b\n1\n2,3\n".utf8) + [0xFF, 0x0A]),
    ("not UTF-8 in a cell", Array("a,b\n1,".utf8) + [0xC3, 0x28] + Array("\n".utf8)),
    ("a multi-byte sequence cut by a line end", Array("a,b\n1,".utf8) + [0xC3, 0x0A, 0xA9]),
  ]

  @Test(
    "a malformed file gives every rank Dataset.load's sentence, whatever the block size",
    arguments: 0..<Self.malformed.count)
  func malformedFiles(_ index: Int) throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let path = try Self.file(Self.malformed[index].bytes, in: folder)
    let expected = #expect(throws: InputError.self) { try Dataset.load(path: path, loss: .meanSquaredError) }
    for k in 1...3 {
      for rank in 0..<k {
        for block in [1, 2, 5, 1 << 20] {
          let error = #expect(throws: ShardReadError.self) {
            try CSVShard.read(path: path, rank: rank, of: k, blockSize: block)
          }
          #expect(error?.error == expected, "\(Self.malformed[index].name), rank \(rank) of \(k), blocks of \(block)")
          #expect(error?.stage == .file && error?.line == 0)
        }
      }
    }
  }

  @Test("a missing file and a folder get AtomicFile's sentences")
  func unreadable() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    for path in [folder.appendingPathComponent("missing.csv").path, folder.path] {
      let expected = #expect(throws: InputError.self) { try Dataset.load(path: path, loss: .meanSquaredError) }
      let error = #expect(throws: ShardReadError.self) { try CSVShard.read(path: path, rank: 1, of: 2) }
      #expect(error?.error == expected)
    }
  }

  @Test("at the real block size: a \\r\\n split between the first two 1 MiB blocks; a line far longer than a block")
  func blockBoundaries() throws {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let block = 1 << 20
    // A row padded so that its \r\n begins on the last byte of the first block.
    var text = "a,b\r\n1,2\r\n"
    text += "3," + String(repeating: "4", count: block - 1 - text.utf8.count - 2) + "\r\n5,6\r\n7,8"
    #expect(Array(text.utf8)[(block - 1)...(block)] == [13, 10])
    try Self.expectShardsEqualTable(try Self.file(Array(text.utf8), in: folder, name: "blocks.csv"), ranks: 1)
    // The buffer grows from 3 bytes to hold a 100 kB line.
    let long = "x" + String(repeating: "y", count: 100_000) + ",b\n1,2\r\n3,4"
    let path = try Self.file(Array(long.utf8), in: folder, name: "long.csv")
    try Self.expectShardsEqualTable(path, ranks: 2, blockSize: 3, "a 100 kB header in blocks of 3 bytes")
  }
}
