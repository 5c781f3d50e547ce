import Foundation
import KKTNetCommandLine
import MPI

// `mpirun -np K kktnet-mpi train …`: MPI_COMM_WORLD as the ranks of kktnet's commands, rank 0 alone
// printing (the other ranks' standard output goes to /dev/null; standard error stays, for the sentence of
// a rank that fails).
let world: MPIWorld
do { world = try MPIWorld() } catch {
  FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
  exit(1)
}
let communicator = MPICommunicator(world: world)
if world.rank != 0 {
  let null = open("/dev/null", O_WRONLY)
  if null >= 0 { _ = dup2(null, STDOUT_FILENO) }
}
KKTNetMPICommand.main(communicator: communicator) {
  do { try world.finalize() } catch { communicator.abort("Error: rank \(world.rank): \(error)") }
}
