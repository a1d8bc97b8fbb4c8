/* mpi_util.c — checked MPI calls (see mpi_util.h). */
#include "mpi_util.h"

#include <string.h>

ps_status psmpi_check(int rc, const char *call, const char *file, int line, const char *func,
                      ps_err *err)
{
    if (rc == MPI_SUCCESS) return PS_OK;
    char text[MPI_MAX_ERROR_STRING + 1];
    int len = 0;
    if (MPI_Error_string(rc, text, &len) != MPI_SUCCESS || len <= 0) {
        strcpy(text, "unknown MPI error");
        len = (int)strlen(text);
    }
    text[len < MPI_MAX_ERROR_STRING ? len : MPI_MAX_ERROR_STRING] = '\0';
    int rank = -1, up = 0, down = 0;
    MPI_Initialized(&up);
    MPI_Finalized(&down);
    if (up && !down) MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    /* the call's text up to its first parenthesis: the function, not its arguments */
    size_t n = strcspn(call, "(");
    return ps_err_set(err, PS_ERR_MPI, "MPI error on rank %d: %.*s failed at %s:%d (%s): %s (code %d)",
                      rank, (int)n, call, file, line, func, text, rc);
}

ps_status psmpi_errors_return(ps_err *err)
{
    CHECK_MPI(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN), err);
    CHECK_MPI(MPI_Comm_set_errhandler(MPI_COMM_SELF, MPI_ERRORS_RETURN), err);
    return PS_OK;
}

ps_status ps_status_agree(MPI_Comm comm, ps_status st, ps_err *err)
{
    int mine = (int)st, all = 0;
    CHECK_MPI(MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_MAX, comm), err);
    if (all != PS_OK && st == PS_OK) ps_err_set(err, (ps_status)all, "%s", "");
    return (ps_status)all;
}

ps_status psmpi_node_rank(MPI_Comm comm, int *local, ps_err *err)
{
    int rank = 0;
    MPI_Comm node;
    *local = 0;
    CHECK_MPI(MPI_Comm_rank(comm, &rank), err);
    CHECK_MPI(MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &node), err);
    ps_status st = PSMPI_CALL(MPI_Comm_rank(node, local), err);
    if (st == PS_OK) st = PSMPI_CALL(MPI_Comm_free(&node), err);
    else MPI_Comm_free(&node);
    return st;
}
