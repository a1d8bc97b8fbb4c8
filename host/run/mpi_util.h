/* mpi_util.h — painsim's MPI layer: every MPI call goes through CHECK_MPI (or PSMPI_CALL),
 * which turns a failed call's error code into a sentence (MPI_Error_string) naming the
 * call, the source file, line, function and the MPI rank, and returns PS_ERR_MPI (exit
 * status 7), as CHECK_CL does for OpenCL (PETSc PetscCallMPI).
 *
 * That only works when MPI returns its errors instead of aborting the job, the default
 * handler (MPI_ERRORS_ARE_FATAL): psmpi_errors_return sets MPI_ERRORS_RETURN on the
 * communicators painsim uses (MPI_COMM_WORLD, MPI_COMM_SELF; communicators split from
 * them inherit it). Kept apart from status.h so that code without MPI needs no <mpi.h>.
 */
#ifndef PAINSIM_MPI_UTIL_H
#define PAINSIM_MPI_UTIL_H

#include <mpi.h>

#include "status.h"

/* After MPI_Init: MPI errors on MPI_COMM_WORLD and MPI_COMM_SELF come back as codes
 * (MPI_ERRORS_RETURN). Returns PS_ERR_MPI, with the text, when that fails. */
ps_status psmpi_errors_return(ps_err *err);

/* PS_OK when rc is MPI_SUCCESS; else records "MPI error on rank R: CALL failed at
 * FILE:LINE (FUNC): TEXT" in err and returns PS_ERR_MPI. The arguments after rc are
 * what CHECK_MPI passes. */
ps_status psmpi_check(int rc, const char *call, const char *file, int line, const char *func,
                      ps_err *err);

/* The status of one MPI call, as an expression: st = PSMPI_CALL(MPI_Send(...), err); */
#define PSMPI_CALL(call, err) psmpi_check((call), #call, __FILE__, __LINE__, __func__, (err))

/* Runs an MPI call and returns PS_ERR_MPI from the enclosing function when it fails. */
#define CHECK_MPI(call, err) PS_TRY(PSMPI_CALL(call, err))

/* Runs an MPI call whatever the status st already is (its partner ranks wait for it)
 * and keeps in st the first failure. */
#define PSMPI_ALWAYS(st, call, err)                            \
    do {                                                       \
        ps_status psmpi_always_s_ = PSMPI_CALL(call, err);     \
        if ((st) == PS_OK) (st) = psmpi_always_s_;             \
    } while (0)

/* Collective over comm: the largest status of all ranks, so that every rank takes the
 * same branch before a collective step. A rank whose own status was PS_OK but another's
 * was not gets that code with an empty message (the failing rank has the words). A
 * failure of the reduction itself gives PS_ERR_MPI. */
ps_status ps_status_agree(MPI_Comm comm, ps_status st, ps_err *err);

/* This process's rank among the ranks of comm on its node (MPI_COMM_TYPE_SHARED), into
 * *local: the local_rank of device_open_local. Collective over comm. */
ps_status psmpi_node_rank(MPI_Comm comm, int *local, ps_err *err);

#endif
