/* sweep_queue.c — running a sweep over MPI ranks (see sweep.h): the dynamic work
 * queue, the members, the set-up and resume on rank 0, and the outcome.
 *
 * The trade-off: rank 0 both coordinates and computes. A dedicated coordinator would
 * waste one GPU per sweep, and MPI one-sided counters need the target's progress engine
 * on some networks; instead rank 0 polls for requests (MPI_Iprobe) after every step of
 * its own member, which costs microseconds per step and answers within one step.
 * Metrics are read back from each member's summary.csv by rank 0, so a resumed sweep
 * (members finished by an earlier command) gets them by the same path.
 */
#include "sweep_impl.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "checkpoint.h"
#include "device.h"
#include "job.h"
#include "mpi_util.h"
#include "output.h"
#include "sim.h"

#define SWEEP_TAG_DONE 701      /* worker -> rank 0: result of the last member + request */
#define SWEEP_TAG_WORK 702      /* rank 0 -> worker: member index, or -1: stop */

/* ---- the queue ---------------------------------------------------------------------- */

typedef struct {
    int32_t member;             /* finished member, -1: none yet, -2: this rank retires */
    int32_t code;               /* ps_status of the member */
    double wall_s;
    char error[SWEEP_ERR];
} sweep_msg;

typedef struct {
    sweep *sw;
    MPI_Comm comm;
    int rank, size;
    long next;                  /* next member index to consider */
    int active;                 /* workers (ranks > 0) not yet told to stop */
    long finished, failed;
    int stopped;                /* a member was interrupted by a signal: hand out no more */
    volatile sig_atomic_t *stop;
    ps_err table_err;           /* first failure to write sweep.csv */
    ps_err mpi_err;             /* first failed MPI call of the queue: it stops serving */
} sweep_queue;

static long sweep_take(sweep_queue *q)
{
    if (q->stopped || (q->stop && *q->stop)) return -1;
    while (q->next < q->sw->n_members && q->sw->m[q->next].status != SWEEP_PENDING) q->next++;
    if (q->next == q->sw->n_members) return -1;
    q->sw->m[q->next].status = SWEEP_RUNNING;
    return q->next++;
}

/* Records the result of member i, run on rank r. */
static void sweep_record(sweep_queue *q, long i, int r, int code, double wall_s, const char *error)
{
    sweep *sw = q->sw;
    sweep_member *m = &sw->m[i];
    m->rank = r;
    m->wall_s = wall_s;
    if (code == PS_ERR_INTERRUPTED) {   /* checkpointed: the next command continues it */
        m->status = SWEEP_PENDING;
        q->stopped = 1;
        log_warn(sw->log, "member %ld of %ld stopped by a signal on rank %d (checkpoint written)", i,
                 sw->n_members, r);
        ps_err e;
        ps_err_clear(&e);
        if (sweep_write_table(sw, &e) != PS_OK && q->table_err.code == PS_OK) q->table_err = e;
        return;
    }
    if (code == PS_OK) {
        scenario *s = calloc(1, sizeof *s);
        ps_err err;
        ps_err_clear(&err);
        ps_status st = s ? sweep_load_member(sw, i, s, &err) : ps_err_set(&err, PS_ERR_MEMORY, "out of host memory");
        if (st == PS_OK) st = sweep_metrics(sw, i, s, &err);
        free(s);
        if (st == PS_OK) {
            m->status = SWEEP_DONE;
        } else {
            m->status = SWEEP_FAILED;
            free(m->error);
            m->error = strdup(err.msg);
        }
    } else {
        m->status = SWEEP_FAILED;
        free(m->error);
        m->error = strdup(error);
    }
    q->finished++;
    if (m->status == SWEEP_FAILED) q->failed++;
    if (m->status == SWEEP_DONE)
        log_info(sw->log, "member %ld of %ld done on rank %d in %.1f s (%ld finished, %ld failed)", i,
                 sw->n_members, r, wall_s, q->finished, q->failed);
    else
        log_warn(sw->log, "member %ld of %ld failed on rank %d: %s", i, sw->n_members, r,
                 m->error ? m->error : "");
    ps_err e;
    ps_err_clear(&e);
    if (sweep_write_table(sw, &e) != PS_OK && q->table_err.code == PS_OK) q->table_err = e;
}

/* A failed MPI call of the queue (its text in q->mpi_err): hand out nothing more and
 * wait for no worker. Returns 1 then. */
static int sweep_mpi_failed(sweep_queue *q, ps_status st)
{
    if (st == PS_OK) return 0;
    q->stopped = 1;
    q->active = 0;
    return 1;
}

/* Rank 0: answers every pending request; block: wait for at least one. */
static void sweep_serve(sweep_queue *q, int block)
{
    for (;;) {
        if (q->mpi_err.code != PS_OK) return;
        int flag = 0;
        MPI_Status mst;
        if (block) {
            if (sweep_mpi_failed(q, PSMPI_CALL(MPI_Probe(MPI_ANY_SOURCE, SWEEP_TAG_DONE, q->comm, &mst),
                                               &q->mpi_err)))
                return;
            flag = 1;
            block = 0;
        } else if (sweep_mpi_failed(q, PSMPI_CALL(MPI_Iprobe(MPI_ANY_SOURCE, SWEEP_TAG_DONE, q->comm,
                                                             &flag, &mst), &q->mpi_err))) {
            return;
        }
        if (!flag) return;
        sweep_msg msg;
        if (sweep_mpi_failed(q, PSMPI_CALL(MPI_Recv(&msg, (int)sizeof msg, MPI_BYTE, mst.MPI_SOURCE,
                                                    SWEEP_TAG_DONE, q->comm, MPI_STATUS_IGNORE),
                                           &q->mpi_err)))
            return;
        msg.error[SWEEP_ERR - 1] = '\0';
        if (msg.member >= 0) sweep_record(q, msg.member, mst.MPI_SOURCE, msg.code, msg.wall_s, msg.error);
        if (msg.member == -2) {
            log_warn(q->sw->log, "rank %d takes no members: %s", mst.MPI_SOURCE, msg.error);
            q->active--;
            continue;
        }
        int32_t next = (int32_t)sweep_take(q);
        if (sweep_mpi_failed(q, PSMPI_CALL(MPI_Send(&next, 1, MPI_INT32_T, mst.MPI_SOURCE,
                                                    SWEEP_TAG_WORK, q->comm), &q->mpi_err)))
            return;
        if (next < 0) q->active--;
    }
}

static void sweep_poll(void *arg)
{
    sweep_serve(arg, 0);
}

static int sweep_file_exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

/* Runs member i on this rank's device (from its checkpoint when it has one). */
static ps_status sweep_run_member(sweep *sw, long i, const sim_ctx *ctx, double *wall_s, ps_err *err)
{
    *wall_s = 0;
    scenario *s = calloc(1, sizeof *s);
    if (!s) return ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    char dir[SWEEP_PATH];
    sweep_member_dir(sw, i, dir, sizeof dir);
    log_info(sw->log, "member %ld of %ld starts on rank %d: %s", i, sw->n_members, ctx->rank, dir);
    ps_status st = sweep_load_member(sw, i, s, err);
    char ck[SWEEP_PATH + 32];
    long step = 0;
    double every = 0;
    ps_err none;
    ps_err_clear(&none);
    if (st == PS_OK && sweep_file_exists(dir) && checkpoint_find(dir, s, ck, sizeof ck, &step, &every, &none) == PS_OK) {
        log_info(sw->log, "member %ld continues from its checkpoint at step %ld", i, step);
        st = job_resume(ctx, s, dir, wall_s, err);
    } else if (st == PS_OK) {
        st = job_run(ctx, s, dir, 1, wall_s, err);
    }
    free(s);
    return st;
}

/* ---- set-up on rank 0: validation, output folder, resume ------------------------------- */

/* 1 when dir holds a completed run of exactly the resolved scenario text `resolved`. */
static int sweep_member_complete(const char *dir, const char *resolved, double *wall_s)
{
    char path[SWEEP_PATH + 32];
    snprintf(path, sizeof path, "%s/run.json", dir);
    cJSON *run = NULL;
    ps_err e;
    ps_err_clear(&e);
    if (!sweep_file_exists(path) || scenario_json_file(path, "run", &run, &e) != PS_OK) return 0;
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(run, "status");
    const cJSON *wall = cJSON_GetObjectItemCaseSensitive(run, "wall_s");
    int ok = cJSON_IsString(status) && strcmp(status->valuestring, "completed") == 0;
    if (ok && cJSON_IsNumber(wall)) *wall_s = wall->valuedouble;
    cJSON_Delete(run);
    if (!ok) return 0;
    snprintf(path, sizeof path, "%s/scenario.resolved.json", dir);
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    size_t n = strlen(resolved);
    char *buf = malloc(n + 2);
    size_t got = buf ? fread(buf, 1, n + 1, f) : 0;
    fclose(f);
    ok = buf && got == n && memcmp(buf, resolved, n) == 0;
    free(buf);
    return ok;
}

static ps_status sweep_prepare(sweep *sw, long *n_resumed, ps_err *err)
{
    *n_resumed = 0;
    scenario *s = calloc(1, sizeof *s);
    if (!s) return ps_err_set(err, PS_ERR_MEMORY, "out of host memory");
    /* 1. every member's scenario loads (nothing written yet) */
    long n_bad = 0;
    ps_err first;
    ps_err_clear(&first);
    for (long i = 0; i < sw->n_members; i++) {
        ps_err e;
        ps_err_clear(&e);
        if (sweep_load_member(sw, i, s, &e) != PS_OK) {
            if (e.code != PS_ERR_INPUT) {           /* unreadable base file, memory: stop */
                free(s);
                return ps_err_set(err, e.code, "%s", e.msg);
            }
            sw->m[i].status = SWEEP_FAILED;
            sw->m[i].error = strdup(e.msg);
            if (!n_bad++) first = e;
            continue;
        }
        sw->m[i].seed = (double)s->seed;
        for (int t = 0; t < s->n_types; t++)
            if (sweep_type_slot(sw, s->types[t].name) < 0 && sw->n_types < SWEEP_MAX_METRIC_TYPES)
                snprintf(sw->type_names[sw->n_types++], SCN_NAME_MAX, "%s", s->types[t].name);
    }
    if (n_bad == sw->n_members) {
        free(s);
        return ps_err_set(err, PS_ERR_INPUT, "%s: no member of the sweep is a valid scenario; the first: %s",
                          sw->path, first.msg);
    }
    if (n_bad > 0)
        log_warn(sw->log, "%ld of %ld members are not valid scenarios and are recorded as failed; "
                 "the first: %s", n_bad, sw->n_members, first.msg);
    sw->n_metrics = SWEEP_FIXED_METRICS + 2 * sw->n_types;
    /* 2. the output folder: new, or an earlier run of a sweep */
    char path[SWEEP_PATH + 32];
    struct stat sb;
    if (stat(sw->outdir, &sb) == 0) {
        if (!S_ISDIR(sb.st_mode)) {
            free(s);
            return ps_err_set(err, PS_ERR_IO, "%s: exists and is not a folder; choose another --out", sw->outdir);
        }
        char members[SWEEP_PATH + 32];
        snprintf(members, sizeof members, "%s/members", sw->outdir);
        static const char *const single[] = {"run.json", "summary.csv", "snapshots", "scenario.resolved.json"};
        int is_run = 0;
        for (int k = 0; k < 4; k++) {
            snprintf(path, sizeof path, "%s/%s", sw->outdir, single[k]);
            is_run |= sweep_file_exists(path);
        }
        snprintf(path, sizeof path, "%s/sweep.csv", sw->outdir);
        if (is_run && !sweep_file_exists(path) && !sweep_file_exists(members)) {
            free(s);
            return ps_err_set(err, PS_ERR_IO, "%s: holds a single run, not a sweep (no sweep.csv); "
                              "choose another --out", sw->outdir);
        }
    }
    snprintf(path, sizeof path, "%s/members", sw->outdir);
    ps_status st = output_make_folder(path, err);
    /* 3. resume: members already completed with the same resolved scenario */
    for (long i = 0; st == PS_OK && i < sw->n_members; i++) {
        if (sw->m[i].status != SWEEP_PENDING) continue;
        char dir[SWEEP_PATH];
        sweep_member_dir(sw, i, dir, sizeof dir);
        if (!sweep_file_exists(dir)) continue;
        ps_err e;
        ps_err_clear(&e);
        if (sweep_load_member(sw, i, s, &e) != PS_OK) continue;
        char *resolved = scenario_to_json(s);
        double wall = NAN;
        int done = resolved && sweep_member_complete(dir, resolved, &wall);
        free(resolved);
        if (!done) continue;
        if (sweep_metrics(sw, i, s, &e) != PS_OK) continue;    /* unreadable summary: run again */
        sw->m[i].status = SWEEP_DONE;
        sw->m[i].wall_s = wall;
        (*n_resumed)++;
    }
    free(s);
    if (st == PS_OK) st = sweep_write_table(sw, err);
    return st;
}

/* ---- the whole sweep ------------------------------------------------------------------ */

ps_status sweep_run(const sweep_args *a, MPI_Comm comm, const log_ctx *lg, ps_err *err)
{
    int rank = 0, size = 1, local_rank = 0;
    CHECK_MPI(MPI_Comm_rank(comm, &rank), err);
    CHECK_MPI(MPI_Comm_size(comm, &size), err);
    PS_TRY(psmpi_node_rank(comm, &local_rank, err));

    sweep *sw = NULL;
    ps_status st = sweep_parse(a->path, &sw, err);
    if (st == PS_OK) {
        sw->log = lg;
        int w = a->out ? snprintf(sw->outdir, sizeof sw->outdir, "%s", a->out)
                       : snprintf(sw->outdir, sizeof sw->outdir, "runs/%s", sw->name);
        size_t l = strlen(sw->outdir);
        while (l > 1 && sw->outdir[l - 1] == '/') sw->outdir[--l] = '\0';
        if (w >= (int)sizeof sw->outdir - 40)
            st = ps_err_set(err, PS_ERR_USAGE, "--out %s: the path is too long", sw->outdir);
    }
    /* rank 0 checks members and the folder; every rank gets the same answer */
    long resumed = 0;
    if (rank == 0 && st == PS_OK) st = sweep_prepare(sw, &resumed, err);
    st = ps_status_agree(comm, st, err);
    if (st != PS_OK) {
        sweep_free(sw);
        return st;
    }
    if (rank == 0) {                /* only rank 0 keeps members' statuses: it hands them out */
        long pending = 0;
        for (long i = 0; i < sw->n_members; i++) pending += sw->m[i].status == SWEEP_PENDING;
        log_info(lg, "sweep %s: %ld members (%ld to run, %ld already complete), %d rank%s, output %s",
                 sw->name, sw->n_members, pending, resumed, size, size > 1 ? "s" : "", sw->outdir);
    }

    /* each rank's device: node-local rank picks among the node's GPUs */
    device *dev = NULL;
    ps_err derr;
    ps_err_clear(&derr);
    ps_status dst = device_open_local(&dev, a->device, local_rank, &derr);
    if (dst == PS_OK) log_info(lg, "rank %d (node-local %d): device %s", rank, local_rank, device_description(dev));
    else log_error(lg, "rank %d: no device: %s", rank, derr.msg);
    log_ctx member_log = *lg;
    if (!a->verbose) member_log.quiet = 1;
    sim_ctx ctx = {.comm = MPI_COMM_SELF, .rank = rank, .size = size, .log = member_log, .dev = dev,
                   .checkpoint_every_h = a->checkpoint_every_h, .stop = a->stop};

    sweep_queue q = {.sw = sw, .comm = comm, .rank = rank, .size = size, .active = size - 1,
                     .stop = a->stop};
    ps_err_clear(&q.table_err);
    ps_err_clear(&q.mpi_err);
    if (rank == 0) {
        for (long i = 0; i < sw->n_members; i++) {
            q.finished += sw->m[i].status == SWEEP_DONE || sw->m[i].status == SWEEP_FAILED;
            q.failed += sw->m[i].status == SWEEP_FAILED;
        }
        if (size > 1) {
            ctx.poll = sweep_poll;
            ctx.poll_arg = &q;
        }
        long i;
        while (dst == PS_OK && (i = sweep_take(&q)) >= 0) {
            ps_err e;
            ps_err_clear(&e);
            double wall = 0;
            ps_status ms = sweep_run_member(sw, i, &ctx, &wall, &e);
            sweep_record(&q, i, 0, ms, wall, e.msg);
            if (size > 1) sweep_serve(&q, 0);
        }
        while (q.active > 0) sweep_serve(&q, 1);
    } else {
        sweep_msg msg;
        memset(&msg, 0, sizeof msg);
        msg.member = dst == PS_OK ? -1 : -2;
        if (dst != PS_OK) snprintf(msg.error, sizeof msg.error, "%s", derr.msg);
        for (;;) {
            if (PSMPI_CALL(MPI_Send(&msg, (int)sizeof msg, MPI_BYTE, 0, SWEEP_TAG_DONE, comm),
                           &q.mpi_err) != PS_OK || msg.member == -2)
                break;
            int32_t next = -1;
            if (PSMPI_CALL(MPI_Recv(&next, 1, MPI_INT32_T, 0, SWEEP_TAG_WORK, comm, MPI_STATUS_IGNORE),
                           &q.mpi_err) != PS_OK || next < 0)
                break;
            ps_err e;
            ps_err_clear(&e);
            double wall = 0;
            ps_status ms = sweep_run_member(sw, next, &ctx, &wall, &e);
            memset(&msg, 0, sizeof msg);
            msg.member = next;
            msg.code = (int32_t)ms;
            msg.wall_s = wall;
            snprintf(msg.error, sizeof msg.error, "%s", e.msg);
        }
    }
    device_close(dev);

    /* the outcome, the same on every rank */
    long counts[3] = {0, 0, 0};     /* failed, pending, done */
    if (rank == 0) {
        for (long i = 0; i < sw->n_members; i++) {
            counts[0] += sw->m[i].status == SWEEP_FAILED;
            counts[1] += sw->m[i].status == SWEEP_PENDING || sw->m[i].status == SWEEP_RUNNING;
            counts[2] += sw->m[i].status == SWEEP_DONE;
        }
        if (q.mpi_err.code != PS_OK) st = ps_err_set(err, q.mpi_err.code, "%s", q.mpi_err.msg);
        else if (q.table_err.code != PS_OK) st = ps_err_set(err, q.table_err.code, "%s", q.table_err.msg);
        else if (counts[1] > 0 && (q.stopped || (a->stop && *a->stop)))
            st = ps_err_set(err, PS_ERR_INTERRUPTED, "sweep stopped by a signal: %ld of %ld members "
                            "not finished (interrupted ones have checkpoints); run the same command "
                            "again to continue", counts[1], sw->n_members);
        else if (counts[1] > 0)
            st = ps_err_set(err, PS_ERR_DEVICE, "%ld of %ld members did not run: no rank could open an "
                            "OpenCL device (%s)", counts[1], sw->n_members, derr.msg);
        else if (counts[0] > 0) {
            long first = 0;
            while (sw->m[first].status != SWEEP_FAILED) first++;
            st = ps_err_set(err, PS_ERR_SWEEP_MEMBERS, "%ld of %ld members failed (see %s/sweep.csv); "
                            "member %ld: %s", counts[0], sw->n_members, sw->outdir, first,
                            sw->m[first].error ? sw->m[first].error : "");
        } else {
            log_info(lg, "sweep %s: all %ld members completed; results in %s/sweep.csv and sweep.h5",
                     sw->name, sw->n_members, sw->outdir);
        }
    }
    sweep_free(sw);
    if (rank != 0 && q.mpi_err.code != PS_OK)   /* this worker lost contact: its own words */
        return ps_err_set(err, q.mpi_err.code, "%s", q.mpi_err.msg);
    int code = (int)st;
    CHECK_MPI(MPI_Bcast(&code, 1, MPI_INT, 0, comm), err);
    if (rank != 0 && code != PS_OK) ps_err_set(err, (ps_status)code, "%s", "");
    return (ps_status)code;
}
