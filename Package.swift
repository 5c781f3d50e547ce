// swift-tools-version: 6.1
import PackageDescription

let package = Package(
  name: "KKTNet",
  products: [
    .library(name: "KKTNet", targets: ["KKTNet"]),
    .library(name: "Solvers", targets: ["Solvers"]),
    .executable(name: "kktnet", targets: ["kktnet"]),
    .executable(name: "kktnet-mpi", targets: ["kktnet-mpi"]),
    .executable(name: "kktnet-bench", targets: ["kktnet-bench"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.0"),
    // `make docs`: swift package generate-documentation (DocC catalogs in Sources/*/*.docc).
    .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
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

    /// BLAS kernels for shapes below OpenBLAS's break-even (a small syrk), AVX2 + FMA where present.
    .target(name: "CSmallKernels"),
    /// Open MPI, for data-parallel runs only: `apt-get install libopenmpi-dev openmpi-bin`. Nothing that
    /// `import KKTNet`, `import Solvers` or the `kktnet` product builds depends on it.
    .systemLibrary(
      name: "CMPI",
      pkgConfig: "ompi-c",
      providers: [.apt(["libopenmpi-dev", "openmpi-bin"])]
    ),

    // MARK: - Libraries

    .target(name: "KKTNet", dependencies: ["CLAPACK", "CVectorMath", "CSmallKernels"]),
    .target(name: "Solvers", dependencies: ["KKTNet", "CLAPACK"]),

    // MARK: - MPI (data-parallel runs)

    /// MPI_COMM_WORLD with every return code checked, and the `Communicator` of an MPI run.
    .target(name: "MPI", dependencies: ["CMPI", "Solvers"]),
    /// The time of a sum over ranks (`make bench-allreduce`).
    .executableTarget(name: "AllreduceBench", dependencies: ["MPI", "Solvers"]),

    // MARK: - Command-line tool

    /// The commands of `kktnet` (and of `kktnet-mpi`), as a library; no MPI.
    .target(
      name: "KKTNetCommandLine",
      dependencies: [
        "KKTNet", "Solvers",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      path: "Sources/kktnet"
    ),
    /// `kktnet`: the commands in one process.
    .executableTarget(name: "kktnet", dependencies: ["KKTNetCommandLine"], path: "Sources/kktnet-main"),
    /// `mpirun -np K kktnet-mpi train|compare-solvers|bench …`: the same commands, data-parallel over MPI.
    .executableTarget(
      name: "kktnet-mpi", dependencies: ["KKTNetCommandLine", "MPI", "Solvers"], path: "Sources/kktnet-mpi"),

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

    /// The benchmark harness (`make bench`), not part of the `kktnet` command.
    .executableTarget(
      name: "kktnet-bench",
      dependencies: [
        "KKTNet", "Solvers",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      path: "Sources/Benchmarks"
    ),

    // MARK: - Tests

    .target(name: "TestSupport", dependencies: ["KKTNet"], path: "Tests/TestSupport"),
    .testTarget(
      name: "KKTNetTests",
      dependencies: [
        "KKTNet", "TestSupport", "CVectorMath", "CSmallKernels",
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
      dependencies: ["kktnet", "KKTNetCommandLine", "kktnet-notebook", "kktnet-bench", "KKTNet", "TestSupport"]
    ),
    /// The code of README.md's library section and of the DocC articles, compiled and run, and a check that
    /// each ```swift block of those documents is the same text as its marked region here.
    .testTarget(
      name: "DocumentationTests",
      dependencies: ["KKTNet", "Solvers"]
    ),
    .testTarget(
      name: "ParallelTests",
      dependencies: [
        "KKTNet", "Solvers", "TestSupport",
        .product(name: "PropertyBased", package: "swift-property-based"),
      ]
    ),
    /// The program that MPITests runs under `mpirun`: each rank checks its part and prints what it found.
    .executableTarget(
      name: "MPIRankChecks",
      dependencies: ["KKTNet", "Solvers", "MPI", "TestSupport"],
      path: "Tests/MPIRankChecks"
    ),
    .testTarget(
      name: "MPITests",
      dependencies: ["MPIRankChecks", "kktnet-mpi", "kktnet", "KKTNet", "TestSupport"]
    ),
  ]
)
