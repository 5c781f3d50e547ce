extension JSONValue {
  /// The value as compact JSON text: members in their order, numbers as their text, strings quoted.
  /// ``parse(_:)`` reads it back to an equal value.
  public var text: String {
    var result = ""
    write(into: &result)
    return result
  }

  private func write(into result: inout String) {
    switch self {
    case .object(let members):
      result += "{"
      for (index, member) in members.enumerated() {
        if index > 0 { result += "," }
        result += JSONValue.quoted(member.key) + ":"
        member.value.write(into: &result)
      }
      result += "}"
    case .array(let elements):
      result += "["
      for (index, element) in elements.enumerated() {
        if index > 0 { result += "," }
        element.write(into: &result)
      }
      result += "]"
    case .string(let string): result += JSONValue.quoted(string)
    case .number(let number): result += number
    case .bool(let flag): result += flag ? "true" : "false"
    case .null: result += "null"
    }
  }
}
