import ArgumentParser
import Foundation

/// How `kktnet-bench` prints its result.
enum BenchFormat: String, ExpressibleByArgument, CaseIterable {
  case table
  case json
}

/// The JSON form of one run: `{"dgemm_gflops", "threads", "openblas", "openblas_coretype", "cases": [{"name",
/// "median_us", "min_us", "gflops", "repetitions", "note"}]}`.
struct BenchReport: Encodable {
  struct Case: Encodable {
    let name: String
    let medianMicroseconds: Double
    let minimumMicroseconds: Double
    let gflops: Double?
    let repetitions: Int
    var note: String?

    enum CodingKeys: String, CodingKey {
      case name, gflops, repetitions, note
      case medianMicroseconds = "median_us"
      case minimumMicroseconds = "min_us"
    }
  }

  let dgemmGflops: Double
  let threads: Int
  let openblas: String
  let coreType: String?
  let cases: [Case]

  enum CodingKeys: String, CodingKey {
    case threads, openblas, cases
    case dgemmGflops = "dgemm_gflops"
    case coreType = "openblas_coretype"
  }
}

/// A fixed-width table: a header row, then aligned rows; the first column left-aligned, the others right-aligned.
struct Table {
  var headers: [String]
  var rows: [[String]] = []

  init(_ headers: String...) { self.headers = headers }

  mutating func append(_ cells: String...) { rows.append(cells) }

  var rendered: String {
    let widths = headers.indices.map { column in
      ([headers[column]] + rows.map { $0[column] }).map(\.count).max() ?? 0
    }
    func line(_ cells: [String]) -> String {
      cells.enumerated().map { column, cell in
        let padding = String(repeating: " ", count: widths[column] - cell.count)
        return column == 0 ? cell + padding : padding + cell
      }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
    }
    return ([line(headers)] + rows.map(line)).joined(separator: "\n")
  }
}

/// Prints a value as one JSON object (keys sorted).
func printJSON<T: Encodable>(_ value: T) throws {
  let encoder = JSONEncoder()
  encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
  let data = try encoder.encode(value)
  print(String(decoding: data, as: UTF8.self))
}
