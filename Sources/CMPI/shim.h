#ifndef KKTNET_CMPI_SHIM_H
#define KKTNET_CMPI_SHIM_H
#include <mpi.h>

/* Open MPI spells its predefined handles as casts of the addresses of global objects
   (OMPI_PREDEFINED_GLOBAL) and MPI_IN_PLACE as ((void *) 1): macros that Swift cannot import. Each is
   returned by a function here instead. Plain integer macros (MPI_SUCCESS, MPI_MAX_ERROR_STRING) and the
   thread-level enumeration import as they are. */

static inline MPI_Comm kktnet_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype kktnet_mpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Op kktnet_mpi_sum(void) { return MPI_SUM; }
static inline MPI_Errhandler kktnet_mpi_errors_return(void) { return MPI_ERRORS_RETURN; }
static inline void *kktnet_mpi_in_place(void) { return MPI_IN_PLACE; }
static inline int kktnet_mpi_success(void) { return MPI_SUCCESS; }
static inline int kktnet_mpi_max_error_string(void) { return MPI_MAX_ERROR_STRING; }

#endif
