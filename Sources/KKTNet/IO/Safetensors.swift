/// The safetensors format (Hugging Face): an 8-byte little-endian header length N, N bytes of UTF-8 JSON
/// (an object, possibly padded with spaces) mapping each tensor name to
/// `{"dtype", "shape", "data_offsets": [begin, end]}` plus an optional `"__metadata__"` string → string map,
/// then one little-endian, C-order byte buffer that the tensors tile exactly.
///
/// KKTNet writes F64 and reads F64, F32, F16 and BF16 (converted to Double). Reading is strict: every
/// violation of the format is an ``InputError`` with one sentence naming the tensor or the field.
public struct SafetensorsFile: Equatable, Sendable {
  /// The element types of the format, with their sizes in bytes.
  public enum DataType: String, CaseIterable, Sendable {
    /// IEEE double, 8 bytes.
    case f64 = "F64"
    /// IEEE single, 4 bytes.
    case f32 = "F32"
    /// IEEE half, 2 bytes.
    case f16 = "F16"
    /// bfloat16, 2 bytes.
    case bf16 = "BF16"
    /// Signed 64-bit integer.
    case i64 = "I64"
    /// Signed 32-bit integer.
    case i32 = "I32"
    /// Signed 16-bit integer.
    case i16 = "I16"
    /// Signed 8-bit integer.
    case i8 = "I8"
    /// Unsigned 64-bit integer.
    case u64 = "U64"
    /// Unsigned 32-bit integer.
    case u32 = "U32"
    /// Unsigned 16-bit integer.
    case u16 = "U16"
    /// Unsigned 8-bit integer.
    case u8 = "U8"
    /// Boolean, 1 byte.
    case bool = "BOOL"
    /// 8-bit float, 4 exponent and 3 mantissa bits.
    case f8e4m3 = "F8_E4M3"
    /// 8-bit float, 5 exponent and 2 mantissa bits.
    case f8e5m2 = "F8_E5M2"
    /// Complex of two singles, 8 bytes.
    case c64 = "C64"

    /// Bytes per element.
    public var size: Int {
      switch self {
      case .f64, .i64, .u64, .c64: return 8
      case .f32, .i32, .u32: return 4
      case .f16, .bf16, .i16, .u16: return 2
      case .i8, .u8, .bool, .f8e4m3, .f8e5m2: return 1
      }
    }

    /// Whether KKTNet converts this type to Double.
    public var isReadable: Bool { [.f64, .f32, .f16, .bf16].contains(self) }
  }

  /// One named tensor, its values as Double in C (row-major) order.
  public struct Tensor: Equatable, Sendable {
    /// The tensor's name in the file (`layers.0.weight`).
    public let name: String
    /// The type the values were stored as (``SafetensorsFile/encoded()`` always writes F64).
    public let dataType: DataType
    /// The dimensions, outermost first; [] for a scalar.
    public let shape: [Int]
    /// The elements in C (row-major) order, as Double.
    public let values: [Double]

    /// A tensor whose `values` fill `shape` (their count is the product of the dimensions).
    public init(name: String, shape: [Int], values: [Double], dataType: DataType = .f64) {
      precondition(
        shape.reduce(1, *) == values.count, "tensor \(name): shape \(shape) does not hold \(values.count) values")
      self.name = name
      self.shape = shape
      self.values = values
      self.dataType = dataType
    }
  }

  /// The tensors in the order of their data in the file.
  public var tensors: [Tensor]
  /// `__metadata__`, string to string.
  public var metadata: [String: String]

  /// The largest header the reader accepts.
  public static let maximumHeaderLength = 100_000_000

  /// A file of `tensors`, in this order, with `metadata` (`__metadata__`).
  public init(tensors: [Tensor], metadata: [String: String] = [:]) {
    self.tensors = tensors
    self.metadata = metadata
  }

  /// The tensor with this name.
  public subscript(name: String) -> Tensor? { tensors.first { $0.name == name } }

  // MARK: Reading

  /// Reads and checks a safetensors file.
  public static func read(path: String) throws(InputError) -> SafetensorsFile {
    do {
      return try decode(try AtomicFile.read(path))
    } catch {
      throw error.file == nil ? error.inFile(path) : error
    }
  }

  /// Decodes and checks the bytes of a safetensors file.
  public static func decode(_ bytes: [UInt8]) throws(InputError) -> SafetensorsFile {
    guard bytes.count >= 8 else {
      throw InputError("the file is \(bytes.count) bytes long, too short for the 8-byte header length")
    }
    var headerLength: UInt64 = 0
    for i in 0..<8 { headerLength |= UInt64(bytes[i]) << (8 * UInt64(i)) }
    // A length that no file of this size can hold, spelled in printable characters: a text file (a CSV
    // given as a model), not a damaged safetensors file.
    if headerLength > UInt64(bytes.count - 8), bytes[0..<8].allSatisfy({ (0x20...0x7E).contains($0) || $0 == 0x0A }) {
      let start = String(decoding: bytes[0..<8].map { $0 == 0x0A ? 0x20 : $0 }, as: UTF8.self)
      throw InputError(
        "not a safetensors file: it starts with the text '\(InputError.quoted(start))…' where a safetensors file has an 8-byte header length (a CSV file given as a model?)"
      )
    }
    guard headerLength <= UInt64(maximumHeaderLength) else {
      throw InputError("the header length \(headerLength) is over the 100 MB limit")
    }
    let n = Int(headerLength)
    guard 8 + n <= bytes.count else {
      throw InputError("the header length \(n) runs past the end of the file (\(bytes.count) bytes)")
    }
    let header = Array(bytes[8..<(8 + n)])
    guard String(validating: header, as: UTF8.self) != nil else { throw InputError("the header is not valid UTF-8") }
    guard header.first == UInt8(ascii: "{") else {
      throw InputError("the header does not start with '{'")
    }
    // Trailing spaces are the format's padding; the JSON reader allows any white space there, the
    // format only spaces.
    var end = header.count
    while end > 0 && header[end - 1] == 0x20 { end -= 1 }
    let json: JSONValue
    do { json = try JSONValue.parse(Array(header[..<end])) } catch {
      throw InputError("the header is \(error.message)")
    }
    guard case .object(let members) = json else { throw InputError("the header is not a JSON object") }

    var metadata: [String: String] = [:]
    var entries: [(name: String, type: DataType, shape: [Int], begin: Int, end: Int)] = []
    for (name, value) in members {
      if name == "__metadata__" {
        guard case .object(let pairs) = value else { throw InputError("__metadata__ is \(value.kind), not an object") }
        for (key, item) in pairs {
          guard case .string(let text) = item else {
            throw InputError("__metadata__ entry '\(InputError.quoted(key))' is \(item.kind), not a string")
          }
          metadata[key] = text
        }
        continue
      }
      entries.append(try entry(name, value))
    }

    // The tensors must tile the buffer: sorted by offset, each begins where the previous ended.
    let buffer = bytes.count - 8 - n
    let ordered = entries.enumerated().sorted { ($0.element.begin, $0.offset) < ($1.element.begin, $1.offset) }.map(
      \.element)
    var position = 0
    for e in ordered {
      if e.begin > position {
        throw InputError(
          "tensor '\(InputError.quoted(e.name))' begins at byte \(e.begin), leaving a hole after byte \(position)")
      }
      if e.begin < position {
        throw InputError(
          "tensor '\(InputError.quoted(e.name))' begins at byte \(e.begin), overlapping the tensor that ends at byte \(position)"
        )
      }
      position = e.end
    }
    guard position == buffer else {
      throw InputError("the data buffer holds \(buffer) bytes but the tensors end at byte \(position)")
    }

    // The values as Double, and the copies a model makes of them (θ, the network's own).
    let elements = MemoryEstimate.saturatingSum(ordered.map { ($0.end - $0.begin) / $0.type.size })
    do { try (3 * MemoryEstimate.doubles(elements)).check("the file's \(elements) values", "as doubles") } catch {
      throw InputError(error.description)
    }
    let base = 8 + n
    let tensors = ordered.map { e in
      Tensor(
        name: e.name, shape: e.shape,
        values: convert(bytes, from: base + e.begin, count: (e.end - e.begin) / e.type.size, type: e.type),
        dataType: e.type)
    }
    return SafetensorsFile(tensors: tensors, metadata: metadata)
  }

  private static func entry(_ name: String, _ value: JSONValue) throws(InputError) -> (
    name: String, type: DataType, shape: [Int], begin: Int, end: Int
  ) {
    guard case .object(let fields) = value else {
      throw InputError("tensor '\(InputError.quoted(name))' is \(value.kind), not an object")
    }
    for (key, _) in fields where !["dtype", "shape", "data_offsets"].contains(key) {
      throw InputError("tensor '\(InputError.quoted(name))' has an unknown field '\(InputError.quoted(key))'")
    }
    func field(_ key: String) throws(InputError) -> JSONValue {
      guard let found = fields.first(where: { $0.key == key }) else {
        throw InputError("tensor '\(InputError.quoted(name))' has no \(key)")
      }
      return found.value
    }
    guard case .string(let typeName) = try field("dtype") else {
      throw InputError("tensor '\(InputError.quoted(name))': dtype is not a string")
    }
    guard let type = DataType(rawValue: typeName) else {
      throw InputError("tensor '\(InputError.quoted(name))' has unknown dtype '\(InputError.quoted(typeName))'")
    }
    guard type.isReadable else {
      throw InputError(
        "tensor '\(InputError.quoted(name))' has dtype \(InputError.quoted(typeName)), which KKTNet does not read (it reads F64, F32, F16 and BF16)"
      )
    }
    guard case .array(let dimensions) = try field("shape") else {
      throw InputError("tensor '\(InputError.quoted(name))': shape is not an array")
    }
    var shape: [Int] = []
    var count = 1
    for dimension in dimensions {
      guard let size = dimension.nonNegativeInteger else {
        throw InputError(
          "tensor '\(InputError.quoted(name))': shape holds \(dimension.kind) that is not a non-negative integer")
      }
      let (product, overflow) = count.multipliedReportingOverflow(by: size)
      guard !overflow, product <= Int.max / 8 else {
        throw InputError(
          "tensor '\(InputError.quoted(name))': shape \(InputError.quoted("\(shape + [size])")) is too large")
      }
      count = product
      shape.append(size)
    }
    guard case .array(let offsets) = try field("data_offsets"), offsets.count == 2,
      let begin = offsets[0].nonNegativeInteger, let end = offsets[1].nonNegativeInteger
    else {
      throw InputError(
        "tensor '\(InputError.quoted(name))': data_offsets must be two non-negative integers [begin, end]")
    }
    guard begin <= end else {
      throw InputError("tensor '\(InputError.quoted(name))': data_offsets [\(begin), \(end)] end before they begin")
    }
    guard end - begin == count * type.size else {
      throw InputError(
        "tensor '\(InputError.quoted(name))': data_offsets [\(begin), \(end)] span \(end - begin) bytes, but shape \(InputError.quoted("\(shape)")) of \(typeName) needs \(count * type.size)"
      )
    }
    return (name, type, shape, begin, end)
  }

  private static func convert(_ bytes: [UInt8], from start: Int, count: Int, type: DataType) -> [Double] {
    func word(_ offset: Int, _ size: Int) -> UInt64 {
      var value: UInt64 = 0
      for i in 0..<size { value |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
      return value
    }
    return (0..<count).map { i in
      let offset = start + i * type.size
      switch type {
      case .f64: return Double(bitPattern: word(offset, 8))
      case .f32: return Double(Float(bitPattern: UInt32(word(offset, 4))))
      case .bf16: return Double(Float(bitPattern: UInt32(word(offset, 2)) << 16))
      case .f16: return halfToDouble(UInt16(word(offset, 2)))
      default: preconditionFailure("unreadable dtype \(type)")
      }
    }
  }

  /// IEEE-754 binary16 to Double, subnormals, infinities and NaN included.
  static func halfToDouble(_ bits: UInt16) -> Double {
    let sign: Double = bits & 0x8000 != 0 ? -1 : 1
    let exponent = Int((bits >> 10) & 0x1F)
    let fraction = Double(bits & 0x3FF)
    switch exponent {
    case 0: return sign * fraction * 0x1p-24
    case 31: return fraction == 0 ? sign * .infinity : .nan
    default: return sign * (1 + fraction / 1024) * Double(sign: .plus, exponent: exponent - 15, significand: 1)
    }
  }

  // MARK: Writing

  /// The file's bytes, every tensor as F64, in the order of `tensors`; the header is padded with spaces so
  /// that the buffer starts at a multiple of 8 bytes.
  public func encoded() -> [UInt8] {
    var parts: [String] = []
    if !metadata.isEmpty {
      let pairs = metadata.keys.sorted().map { "\(JSONValue.quoted($0)):\(JSONValue.quoted(metadata[$0]!))" }
      parts.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
    }
    var offset = 0
    for tensor in tensors {
      let end = offset + 8 * tensor.values.count
      parts.append(
        "\(JSONValue.quoted(tensor.name)):{\"dtype\":\"F64\",\"shape\":[\(tensor.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(end)]}"
      )
      offset = end
    }
    var header = Array(("{" + parts.joined(separator: ",") + "}").utf8)
    while (8 + header.count) % 8 != 0 { header.append(0x20) }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(8 + header.count + offset)
    let length = UInt64(header.count)
    for i in 0..<8 { bytes.append(UInt8((length >> (8 * UInt64(i))) & 0xFF)) }
    bytes += header
    for tensor in tensors {
      for value in tensor.values {
        let pattern = value.bitPattern
        for i in 0..<8 { bytes.append(UInt8((pattern >> (8 * UInt64(i))) & 0xFF)) }
      }
    }
    return bytes
  }

  /// Writes the file atomically (a temporary file in the same folder, then a rename).
  public func write(path: String) throws(InputError) {
    let names = tensors.map(\.name)
    precondition(Set(names).count == names.count, "tensor names must be unique")
    try AtomicFile.write(encoded(), to: path)
  }
}
