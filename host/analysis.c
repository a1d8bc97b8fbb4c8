/* analysis.c — sensitivity, trial, calibrate: the Python driver in a child of rank 0,
 * its sweeps run here on every rank (analysis.h has the protocol).
 *
 * Rank 0 spawns the driver with two pipes, reads one request line at a time and
 * broadcasts it; a sweep request is run collectively by sweep_run, the others (check,
 * columns) by rank 0 alone, and rank 0 writes the reply. While the driver computes,
 * the other ranks wait for the next request in a sleeping poll (MPI_Ibcast + MPI_Test),
 * not in a busy MPI_Bcast, so they leave the cores to it.
 */
#include "analysis.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mpi_util.h"
#include "report.h"
#include "scenario.h"
#include "summary.h"
#include "sweep.h"

extern char **environ;

#define ANALYSIS_PATH_MAX 4096
#define ANALYSIS_LINE_MAX (1 << 20)
#define ANALYSIS_MAX_SETS 256

enum { ANALYSIS_END = 0, ANALYSIS_SWEEP, ANALYSIS_CHECK, ANALYSIS_COLUMNS, ANALYSIS_RESOLVE };

typedef struct {
    pid_t pid;
    int req;                    /* read end of the driver's requests */
    int rep;                    /* write end of our replies */
    char *line;                 /* the current request, ANALYSIS_LINE_MAX bytes */
    size_t have;                /* bytes of the next request(s) already read */
} analysis_child;

int analysis_is_command(const char *argv1)
{
    return argv1 != NULL && (strcmp(argv1, "sensitivity") == 0 || strcmp(argv1, "trial") == 0 ||
                             strcmp(argv1, "calibrate") == 0);
}

/* ---- the child ------------------------------------------------------------------------ */

/* A pipe whose ends close at exec (the child gets its copies by dup2). */
static int analysis_pipe(int fd[2])
{
    if (pipe(fd) != 0) return -1;
    for (int i = 0; i < 2; i++) {
        int fl = fcntl(fd[i], F_GETFD);
        if (fl < 0 || fcntl(fd[i], F_SETFD, fl | FD_CLOEXEC) != 0) {
            close(fd[0]);
            close(fd[1]);
            return -1;
        }
    }
    return 0;
}

static int analysis_spawn(analysis_child *c, int argc, char **argv, int n_ranks, const log_ctx *lg)
{
    char dir[ANALYSIS_PATH_MAX], script[ANALYSIS_PATH_MAX + 32], python[ANALYSIS_PATH_MAX];
    if (report_tool_dir("PAINSIM_ANALYSIS", "analysis", dir, sizeof dir) != 0 ||
        report_python(python, sizeof python) != 0) {
        log_error(lg, "%s: the analysis folder or interpreter path is too long", argv[1]);
        return 3;
    }
    snprintf(script, sizeof script, "%s/painsim_analysis.py", dir);
    struct stat sb;
    if (stat(script, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        log_error(lg, "%s: %s not found (painsim looks for analysis/ next to bin/; set "
                      "PAINSIM_ANALYSIS to the analysis folder of the painsim source tree)", argv[1], script);
        return 3;
    }
    int req[2], rep[2];
    if (analysis_pipe(req) != 0) {
        log_error(lg, "%s: pipe: %s", argv[1], strerror(errno));
        return 3;
    }
    if (analysis_pipe(rep) != 0) {
        log_error(lg, "%s: pipe: %s", argv[1], strerror(errno));
        close(req[0]);
        close(req[1]);
        return 3;
    }
    char ranks[32], bridge[] = "PAINSIM_BRIDGE=3,4";
    snprintf(ranks, sizeof ranks, "PAINSIM_RANKS=%d", n_ranks);
    size_t n_env = 0;
    while (environ[n_env]) n_env++;
    char **env = calloc(n_env + 3, sizeof *env);
    char **child = calloc((size_t)argc + 3, sizeof *child);
    posix_spawn_file_actions_t fa;
    int ok = env && child && posix_spawn_file_actions_init(&fa) == 0;
    int rc = 3;
    if (ok) {
        size_t k = 0;
        for (size_t i = 0; i < n_env; i++)
            if (strncmp(environ[i], "PAINSIM_BRIDGE=", 15) != 0 && strncmp(environ[i], "PAINSIM_RANKS=", 14) != 0)
                env[k++] = environ[i];
        env[k++] = bridge;
        env[k++] = ranks;
        env[k] = NULL;
        k = 0;
        child[k++] = python;
        child[k++] = script;
        for (int i = 1; i < argc; i++) child[k++] = argv[i];
        child[k] = NULL;
        /* dup2 clears close-on-exec on the copies; the originals close at exec */
        posix_spawn_file_actions_adddup2(&fa, req[1], 3);
        posix_spawn_file_actions_adddup2(&fa, rep[0], 4);
        int e = posix_spawn(&c->pid, python, &fa, NULL, child, env);
        posix_spawn_file_actions_destroy(&fa);
        if (e != 0)
            log_error(lg, "%s: cannot start %s: %s (`make deps` makes the project's Python "
                          "environment; PAINSIM_PYTHON names another interpreter)", argv[1], python, strerror(e));
        else
            rc = 0;
    } else {
        log_error(lg, "%s: out of memory", argv[1]);
    }
    free(env);
    free(child);
    close(req[1]);
    close(rep[0]);
    if (rc != 0) {
        close(req[0]);
        close(rep[1]);
        return rc;
    }
    c->req = req[0];
    c->rep = rep[1];
    return 0;
}

/* The next request line (without its newline) in c->line; 0 at end of file, -1 when a
 * signal interrupted the wait (stop set) or the line is too long. */
static int analysis_read_line(analysis_child *c, volatile sig_atomic_t *stop, const log_ctx *lg)
{
    for (;;) {
        char *nl = memchr(c->line, '\n', c->have);
        if (nl) return (int)(nl - c->line) + 1;
        if (c->have >= ANALYSIS_LINE_MAX - 1) {
            log_error(lg, "analysis driver: a request of more than %d bytes", ANALYSIS_LINE_MAX);
            return -1;
        }
        ssize_t r = read(c->req, c->line + c->have, ANALYSIS_LINE_MAX - 1 - c->have);
        if (r > 0) {
            c->have += (size_t)r;
        } else if (r == 0) {
            return 0;
        } else if (errno == EINTR) {
            if (stop && *stop) return -1;
        } else {
            log_error(lg, "analysis driver: reading its requests: %s", strerror(errno));
            return -1;
        }
    }
}

static void analysis_reply(const analysis_child *c, const char *text)
{
    size_t n = strlen(text), done = 0;
    while (done < n) {
        ssize_t w = write(c->rep, text + done, n - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return;     /* the driver is gone: its exit status tells */
        done += (size_t)w;
    }
}

static void analysis_reply_err(const analysis_child *c, ps_status st, const ps_err *err)
{
    char msg[PS_ERR_MSG_MAX], buf[PS_ERR_MSG_MAX + 64];
    snprintf(msg, sizeof msg, "%s", err->msg[0] ? err->msg : "failed");
    for (char *p = msg; *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t') *p = ' ';    /* one line, three fields */
    snprintf(buf, sizeof buf, "fail\t%d\t%s\n", ps_status_exit_code(st), msg);
    analysis_reply(c, buf);
}

/* ---- requests answered by rank 0 -------------------------------------------------------- */

static void analysis_check(const analysis_child *c, const char *path)
{
    ps_err err;
    ps_err_clear(&err);
    long n = 0;
    ps_status st = sweep_check(path, &n, &err);
    if (st != PS_OK) {
        analysis_reply_err(c, st, &err);
        return;
    }
    char buf[64];
    snprintf(buf, sizeof buf, "ok\t%ld\n", n);
    analysis_reply(c, buf);
}

/* fields: scenario path, then K=V overrides */
static void analysis_columns(const analysis_child *c, char **fields, int n)
{
    ps_err err;
    ps_err_clear(&err);
    scenario *s = malloc(sizeof *s);
    if (!s) {
        ps_status st = ps_err_set(&err, PS_ERR_MEMORY, "out of host memory");
        analysis_reply_err(c, st, &err);
        return;
    }
    ps_status st = scenario_load(fields[0], (const char *const *)fields + 1, n - 1, s, &err);
    summary *sm = NULL;
    summary_layout lay;
    if (st == PS_OK) {
        summary_layout_of(s, &lay);
        st = summary_create(&sm, s, &lay, &err);
    }
    if (st != PS_OK) {
        analysis_reply_err(c, st, &err);
        free(s);
        return;
    }
    int nc = summary_n_columns(sm);
    const char *const *names = summary_names(sm);
    size_t len = 16;
    for (int i = 0; i < nc; i++) len += strlen(names[i]) + 1;
    char *buf = malloc(len);
    if (buf) {
        strcpy(buf, "ok\ttime_h");
        for (int i = 0; i < nc; i++) {
            strcat(buf, ",");
            strcat(buf, names[i]);
        }
        strcat(buf, "\n");
        analysis_reply(c, buf);
    } else {
        st = ps_err_set(&err, PS_ERR_MEMORY, "out of host memory");
        analysis_reply_err(c, st, &err);
    }
    free(buf);
    summary_destroy(sm);
    free(s);
}

/* fields: scenario path, output file, then K=V overrides: the resolved scenario (every
 * default written out) into the output file, as run.json holds it */
static void analysis_resolve(const analysis_child *c, char **fields, int n)
{
    ps_err err;
    ps_err_clear(&err);
    scenario *s = malloc(sizeof *s);
    ps_status st = s ? scenario_load(fields[0], (const char *const *)fields + 2, n - 2, s, &err)
                     : ps_err_set(&err, PS_ERR_MEMORY, "out of host memory");
    char *json = st == PS_OK ? scenario_to_json(s) : NULL;
    if (st == PS_OK && !json) st = ps_err_set(&err, PS_ERR_MEMORY, "out of host memory");
    if (st == PS_OK) {
        FILE *f = fopen(fields[1], "w");
        if (!f || fputs(json, f) < 0 || fclose(f) != 0)
            st = ps_err_set(&err, PS_ERR_IO, "%s: cannot write: %s", fields[1], strerror(errno));
    }
    if (st == PS_OK) analysis_reply(c, "ok\n");
    else analysis_reply_err(c, st, &err);
    free(json);
    free(s);
}

/* ---- every rank ------------------------------------------------------------------------- */

/* A broadcast from rank 0 that the other ranks wait for asleep. */
static ps_status analysis_bcast(void *buf, int count, MPI_Datatype type, MPI_Comm comm, ps_err *err)
{
    MPI_Request rq;
    CHECK_MPI(MPI_Ibcast(buf, count, type, 0, comm, &rq), err);
    for (;;) {
        int done = 0;
        CHECK_MPI(MPI_Test(&rq, &done, MPI_STATUS_IGNORE), err);
        if (done) return PS_OK;
        struct timespec ts = {0, 5000000};      /* 5 ms */
        nanosleep(&ts, NULL);
    }
}

/* Splits line at tabs in place; returns the field count (at most cap). */
static int analysis_split(char *line, char **fields, int cap)
{
    int n = 0;
    char *p = line;
    while (n < cap) {
        fields[n++] = p;
        char *t = strchr(p, '\t');
        if (!t) break;
        *t = '\0';
        p = t + 1;
    }
    return n;
}

static int analysis_opcode(const char *word)
{
    if (strcmp(word, "sweep") == 0) return ANALYSIS_SWEEP;
    if (strcmp(word, "check") == 0) return ANALYSIS_CHECK;
    if (strcmp(word, "columns") == 0) return ANALYSIS_COLUMNS;
    if (strcmp(word, "resolve") == 0) return ANALYSIS_RESOLVE;
    return -1;
}

int analysis_main(int argc, char **argv, const sweep_args *members, MPI_Comm comm, const log_ctx *lg)
{
    int rank = 0, size = 1;
    ps_err err;
    ps_err_clear(&err);
    if (PSMPI_CALL(MPI_Comm_rank(comm, &rank), &err) != PS_OK ||
        PSMPI_CALL(MPI_Comm_size(comm, &size), &err) != PS_OK) {
        log_error(lg, "%s", err.msg);
        return ps_status_exit_code(PS_ERR_MPI);
    }
    sweep_args sa = *members;
    volatile sig_atomic_t *stop = sa.stop;

    analysis_child c = {.pid = -1, .req = -1, .rep = -1};
    int rc = 0;
    if (rank == 0) {
        signal(SIGPIPE, SIG_IGN);
        c.line = malloc(ANALYSIS_LINE_MAX);
        rc = c.line ? analysis_spawn(&c, argc, argv, size, lg) : 5;
    }
    char *payload = rank == 0 ? c.line : malloc(ANALYSIS_LINE_MAX);
    int mpi_failed = payload == NULL;
    int stopped = 0;
    for (;;) {
        int head[2] = {ANALYSIS_END, 0};      /* opcode, payload bytes */
        if (rank == 0 && rc == 0 && payload && !stopped) {
            int n = analysis_read_line(&c, stop, lg);
            if (n < 0) {
                stopped = 1;
                if (stop && *stop) kill(c.pid, SIGTERM);
            } else if (n > 0) {
                c.line[n - 1] = '\0';
                char *tab = strchr(c.line, '\t');
                if (tab) *tab = '\0';
                int op = analysis_opcode(c.line);
                if (tab) *tab = '\t';
                if (op < 0) {
                    log_error(lg, "analysis driver: unknown request '%.40s'", c.line);
                    analysis_reply(&c, "fail\t8\tunknown request\n");
                    memmove(c.line, c.line + n, c.have - (size_t)n);
                    c.have -= (size_t)n;
                    continue;
                }
                head[0] = op;
                head[1] = n;
            }
        }
        if (analysis_bcast(head, 2, MPI_INT, comm, &err) != PS_OK) {
            mpi_failed = 1;
            break;
        }
        if (head[0] == ANALYSIS_END) break;
        if (head[0] == ANALYSIS_SWEEP && analysis_bcast(payload, head[1], MPI_CHAR, comm, &err) != PS_OK) {
            mpi_failed = 1;
            break;
        }
        if (rank != 0 && head[0] != ANALYSIS_SWEEP) continue;      /* rank 0 answers it */
        char *fields[ANALYSIS_MAX_SETS + 2];
        int nf = analysis_split(payload, fields, ANALYSIS_MAX_SETS + 2);
        if (head[0] == ANALYSIS_SWEEP) {
            ps_err e;
            ps_err_clear(&e);
            ps_status st;
            if (nf != 3) {
                st = ps_err_set(&e, PS_ERR_INTERNAL, "analysis driver: a sweep request needs a file and a folder");
            } else {
                sa.path = fields[1];
                sa.out = fields[2];
                st = sweep_run(&sa, comm, lg, &e);
            }
            if (rank == 0) {
                if (st == PS_OK) analysis_reply(&c, "ok\n");
                else analysis_reply_err(&c, st, &e);
            }
        } else if (rank == 0 && head[0] == ANALYSIS_CHECK) {
            if (nf == 2) analysis_check(&c, fields[1]);
            else analysis_reply(&c, "fail\t8\ta check request needs one file\n");
        } else if (rank == 0 && head[0] == ANALYSIS_COLUMNS) {
            if (nf >= 2) analysis_columns(&c, fields + 1, nf - 1);
            else analysis_reply(&c, "fail\t8\ta columns request needs a scenario file\n");
        } else if (rank == 0 && head[0] == ANALYSIS_RESOLVE) {
            if (nf >= 3) analysis_resolve(&c, fields + 1, nf - 1);
            else analysis_reply(&c, "fail\t8\ta resolve request needs a scenario and an output file\n");
        }
        if (rank == 0) {
            memmove(c.line, c.line + head[1], c.have - (size_t)head[1]);
            c.have -= (size_t)head[1];
        }
    }
    if (rank == 0 && c.pid > 0) {
        close(c.req);
        close(c.rep);
        int status = 0;
        while (waitpid(c.pid, &status, 0) < 0 && errno == EINTR) {
        }
        if (WIFEXITED(status)) rc = WEXITSTATUS(status);
        else if (WIFSIGNALED(status)) rc = stop && *stop ? 130 : 128 + WTERMSIG(status);
        else rc = 3;
    }
    if (rank != 0) free(payload);
    else free(c.line);
    if (mpi_failed) {
        if (err.msg[0]) log_error(lg, "%s", err.msg);
        return ps_status_exit_code(PS_ERR_MPI);
    }
    /* every rank returns the driver's status */
    MPI_Bcast(&rc, 1, MPI_INT, 0, comm);
    return rc;
}
