/* test_mpi.c — checked MPI calls (host/run/mpi_util.h), on 1 rank (an MPI singleton).
 *  1. an MPI error exits with status 7 and says what failed: a child process of this
 *     program (started before MPI_Init, then MPI_Init, psmpi_errors_return as painsim's
 *     main does) makes an MPI call with an invalid communicator and returns
 *     ps_status_exit_code of its status; the parent asserts exit 7 and the message;
 *  2. the checked wrapper itself: an invalid count and an invalid communicator give
 *     PS_ERR_MPI and a message naming the rank, the call (without its arguments), this
 *     file, the line, the function and MPI_Error_string's text; CHECK_MPI returns from
 *     the calling function; a valid call is PS_OK and leaves the record empty;
 *  3. the first error is kept (PSMPI_ALWAYS runs a later call and keeps the first);
 *  4. ps_status_agree and psmpi_node_rank on one rank, and their failure on an invalid
 *     communicator.
 */
#include <fcntl.h>
#include <mpi.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mpi_util.h"
#include "test.h"

extern char **environ;

#define CHILD_OUT "tests/out/test_mpi_child.txt"

static ps_status child_failing_call(ps_err *err)
{
    int x = 1, y = 0;
    CHECK_MPI(MPI_Allreduce(&x, &y, 1, MPI_INT, MPI_SUM, MPI_COMM_NULL), err);
    return PS_OK;
}

/* The child: what painsim's main does around a failing collective. */
static int child_main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    ps_err err;
    ps_err_clear(&err);
    ps_status st = psmpi_errors_return(&err);
    if (st == PS_OK) st = child_failing_call(&err);
    if (st != PS_OK) fprintf(stderr, "painsim: error: %s\n", err.msg);
    MPI_Finalize();
    return ps_status_exit_code(st);
}

static void test_exit_status(const char *self)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 2, CHILD_OUT, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    char a0[4096], a1[] = "--child";
    snprintf(a0, sizeof a0, "%s", self);
    char *args[] = {a0, a1, NULL};
    pid_t pid;
    int rc = posix_spawn(&pid, self, &fa, NULL, args, environ);
    posix_spawn_file_actions_destroy(&fa);
    TEST_CHECK(rc == 0, "spawning %s --child: %s", self, strerror(rc));
    if (rc != 0) return;
    int status = 0;
    waitpid(pid, &status, 0);
    TEST_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 7,
               "an MPI error exits with status 7 (got %s %d)", WIFEXITED(status) ? "exit" : "signal",
               WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
    char text[8192] = "";
    FILE *f = fopen(CHILD_OUT, "r");
    size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
    text[n] = '\0';
    if (f) fclose(f);
    TEST_CHECK(strstr(text, "painsim: error: MPI error on rank 0: MPI_Allreduce failed at ") != NULL,
               "the message names the rank and the call: %s", text);
    TEST_CHECK(strstr(text, "test_mpi.c:") != NULL && strstr(text, "(child_failing_call)") != NULL,
               "the message names the file, line and function: %s", text);
    TEST_CHECK(strstr(text, "MPI_ERR_COMM") != NULL || strstr(text, "communicator") != NULL,
               "the message has MPI's own words for an invalid communicator: %s", text);
}

static ps_status returns_early(int *reached, ps_err *err)
{
    int x = 1, y = 0;
    CHECK_MPI(MPI_Allreduce(&x, &y, -1, MPI_INT, MPI_SUM, MPI_COMM_WORLD), err);
    *reached = 1;
    return PS_OK;
}

static void test_wrapper(void)
{
    ps_err err;
    ps_err_clear(&err);
    int x = 3, y = 0;
    ps_status st = PSMPI_CALL(MPI_Allreduce(&x, &y, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD), &err);
    TEST_CHECK(st == PS_OK && y == 3 && err.code == PS_OK && err.msg[0] == '\0',
               "a valid call: status %d, sum %d, message '%s'", st, y, err.msg);

    int rc = MPI_Allreduce(&x, &y, -1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    TEST_CHECK(rc != MPI_SUCCESS, "MPI_ERRORS_RETURN: a count of -1 returns an error code");
    char want[MPI_MAX_ERROR_STRING + 1];
    int len = 0;
    MPI_Error_string(rc, want, &len);
    want[len] = '\0';
    int line = __LINE__ + 1;
    st = PSMPI_CALL(MPI_Allreduce(&x, &y, -1, MPI_INT, MPI_SUM, MPI_COMM_WORLD), &err);
    TEST_CHECK(st == PS_ERR_MPI && err.code == PS_ERR_MPI, "an invalid count: PS_ERR_MPI (got %d)", st);
    TEST_CHECK(ps_status_exit_code(st) == 7, "PS_ERR_MPI exits with 7");
    char where[256];
    snprintf(where, sizeof where, "test_mpi.c:%d (test_wrapper): ", line);
    TEST_CHECK(strstr(err.msg, "MPI error on rank 0: MPI_Allreduce failed at ") == err.msg,
               "names the rank and the call only: %s", err.msg);
    TEST_CHECK(strstr(err.msg, where) != NULL, "names file, line and function (%s): %s", where, err.msg);
    TEST_CHECK(len > 0 && strstr(err.msg, want) != NULL, "has MPI_Error_string's text '%s': %s", want,
               err.msg);

    int reached = 0;
    ps_err_clear(&err);
    st = returns_early(&reached, &err);
    TEST_CHECK(st == PS_ERR_MPI && !reached, "CHECK_MPI returns from the function (status %d, reached %d)",
               st, reached);
    TEST_CHECK(strstr(err.msg, "(returns_early)") != NULL, "names the function: %s", err.msg);

    /* 3. the first failure is kept */
    ps_err_clear(&err);
    st = PS_OK;
    PSMPI_ALWAYS(st, MPI_Allreduce(&x, &y, -1, MPI_INT, MPI_SUM, MPI_COMM_WORLD), &err);
    char first[PS_ERR_MSG_MAX];
    snprintf(first, sizeof first, "%s", err.msg);
    y = 0;
    PSMPI_ALWAYS(st, MPI_Allreduce(&x, &y, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD), &err);
    TEST_CHECK(st == PS_ERR_MPI && y == 3, "PSMPI_ALWAYS runs the later call (sum %d) and keeps the failure",
               y);
    PSMPI_ALWAYS(st, MPI_Barrier(MPI_COMM_NULL), &err);
    TEST_CHECK(strcmp(err.msg, first) == 0 && strstr(err.msg, "MPI_Barrier") == NULL,
               "the first message is kept: %s", err.msg);
}

static void test_helpers(void)
{
    ps_err err;
    ps_err_clear(&err);
    TEST_CHECK(ps_status_agree(MPI_COMM_WORLD, PS_OK, &err) == PS_OK, "agree on one rank: PS_OK");
    TEST_CHECK(ps_status_agree(MPI_COMM_WORLD, PS_ERR_IO, &err) == PS_ERR_IO, "agree keeps a failure");
    ps_err_clear(&err);
    TEST_CHECK(ps_status_agree(MPI_COMM_NULL, PS_OK, &err) == PS_ERR_MPI &&
                   strstr(err.msg, "MPI_Allreduce failed") != NULL,
               "agree on an invalid communicator: PS_ERR_MPI: %s", err.msg);
    int local = -1;
    ps_err_clear(&err);
    TEST_CHECK(psmpi_node_rank(MPI_COMM_WORLD, &local, &err) == PS_OK && local == 0,
               "node rank of a singleton: 0 (got %d: %s)", local, err.msg);
    ps_err_clear(&err);
    TEST_CHECK(psmpi_node_rank(MPI_COMM_NULL, &local, &err) == PS_ERR_MPI &&
                   strstr(err.msg, "MPI_Comm_rank failed") != NULL,
               "node rank on an invalid communicator: PS_ERR_MPI: %s", err.msg);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--child") == 0) return child_main(argc, argv);
    test_exit_status(argv[0]);      /* before this process's MPI_Init */
    MPI_Init(&argc, &argv);
    ps_err err;
    ps_err_clear(&err);
    TEST_CHECK(psmpi_errors_return(&err) == PS_OK, "MPI_ERRORS_RETURN set: %s", err.msg);
    test_wrapper();
    test_helpers();
    MPI_Finalize();
    return test_report("test_mpi");
}
