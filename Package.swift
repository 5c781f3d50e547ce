// swift-tools-version: 6.1
import PackageDescription

let package = Package(
  name: "KKTNet",
  products: [
    .library(name: "KKTNet", targets: ["KKTNet"]),
    .library(name: "Solvers", targets: ["Solvers"]),
    .executable(name: "kktnet", targets: ["kktnet"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.0"),
  ],
  targets: [
    // MARK: - System libraries and kernels

    /// OpenBLAS (CBLAS) and LAPACKE: `apt-get install liblapacke-dev libopenblas-dev`.
    .systemLibrary(
      name: "CLAPACK",
      pkgConfig: "openblas",
      providers: [.apt(["liblapacke-dev", "libopenblas-dev"])]
    ),
    /// Elementwise maps (tanh, exp, …) over whole arrays, vectorized with glibc's libmvec where present.
    .target(
      name: "CVectorMath",
      linkerSettings: [.linkedLibrary("mvec", .when(platforms: [.linux])), .linkedLibrary("m")]
    ),

    // MARK: - Libraries

    .target(name: "KKTNet", dependencies: ["CLAPACK", "CVectorMath"]),
    .target(name: "Solvers", dependencies: ["KKTNet", "CLAPACK"]),

    // MARK: - Command-line tool

    .executableTarget(
      name: "kktnet",
      dependencies: [
        "KKTNet", "Solvers",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),

    // MARK: - Tooling (not part of the product)

    /// `kktnet-notebook run [--check] FILE…`: re-runs and checks the notebooks in notebooks-md/.
    .executableTarget(
      name: "kktnet-notebook",
      dependencies: [
        "KKTNet",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      path: "Sources/NotebookRunner"
    ),

    // MARK: - Tests

    .target(name: "TestSupport", dependencies: ["KKTNet"], path: "Tests/TestSupport"),
    .testTarget(
      name: "KKTNetTests",
      dependencies: [
        "KKTNet", "TestSupport",
        .product(name: "PropertyBased", package: "swift-property-based"),
      ]
    ),
    .testTarget(
      name: "SolversTests",
      dependencies: [
        "KKTNet", "Solvers", "TestSupport",
        .product(name: "PropertyBased", package: "swift-property-based"),
      ],
      exclude: ["NIST", "References"]
    ),
    .testTarget(
      name: "DifferentiationOracleTests",
      dependencies: ["KKTNet", "TestSupport"]
    ),
    .testTarget(
      name: "CLITests",
      dependencies: ["kktnet", "kktnet-notebook", "KKTNet", "TestSupport"]
    ),
  ]
)
