import KKTNet

/// The files a command reads and writes, checked before any work: every output resolves and can be
/// written (its folder exists and takes a new file, it is not a folder, a socket or read-only), and no
/// output is an input or another output. Files are compared by device and inode — or, for a file not
/// created yet, by its folder's and its name — so `m.st`, `./m.st`, a link to it and a hard link are one.
struct RunFiles {
  /// (flag, path) of each file read.
  var inputs: [(flag: String, path: String)] = []
  /// (flag, path) of each file written.
  var outputs: [(flag: String, path: String)] = []

  init(inputs: [(String, String?)] = [], outputs: [(String, String?)] = []) {
    self.inputs = inputs.compactMap { flag, path in path.map { (flag, $0) } }
    self.outputs = outputs.compactMap { flag, path in path.map { (flag, $0) } }
  }

  /// Checks the outputs and their distinctness.
  ///
  /// - Throws: ``InputError`` naming the path and the flags: "x.st: --out and --history name the same
  ///   file; give each output its own".
  func check() throws(InputError) {
    var written: [(flag: String, path: String, identity: FileIdentity)] = []
    for output in outputs {
      let target = try AtomicFile.checkWritable(output.path)
      if let input = inputs.first(where: { FileIdentity.ofInput($0.path) == target.identity }) {
        throw InputError(
          file: output.path,
          "\(output.flag) names the \(input.flag) file; write the output to another file, so the input stays as it is")
      }
      if let earlier = written.first(where: { $0.identity == target.identity }) {
        throw InputError(
          file: output.path, "\(earlier.flag) and \(output.flag) name the same file; give each output its own")
      }
      written.append((output.flag, output.path, target.identity))
    }
  }
}
