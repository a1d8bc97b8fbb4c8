/* output.h — a run folder: HDF5 snapshots + XDMF index, summary time series, metadata.
 *
 * One object, its functions spread by concern over host/io/: output.c (the folder),
 * output_snapshot.c, output_summary.c, output_runinfo.c, output_table.c.
 *
 * Layout of RUN/ (every file written under a temporary name in the same folder, then
 * renamed, so a reader never sees a half-written file under its final name):
 *   scenario.resolved.json   the scenario with every default filled in
 *   snapshots/snap_NNNNNN.h5 one per snapshot, NNNNNN = simulation step
 *   snapshots.xmf            XDMF 2 temporal collection over all snapshots (time in h),
 *                            rewritten after each snapshot
 *   summary.csv, summary.h5  one row per output interval, rewritten after each row;
 *                            summary.h5 holds each column's unit (output_summary_set_units)
 *   run.json                 version, git hash, device, seed, steps, wall time, agents
 *
 * Snapshot file layout (HDF5), per tissue T:
 *   /tissues/T  attributes: origin_um[3], voxel_um, dims[3] (nx,ny,nz), size_um[3]
 *   /tissues/T/fields/<mediator>  float32 [nz][ny][nx], nM, attribute units="nM"
 *   /tissues/T/agents/position    float32 [N][3], world µm (tissue origin + local)
 *   /tissues/T/agents/id          uint64  [N]
 *   /tissues/T/agents/type        int32   [N]  (index into /types names attribute)
 *   /tissues/T/agents/state       int32   [N]
 *   /tissues/T/agents/<var>       float32 [N]  per-agent variables (units attribute)
 *   root attributes: time_h, time_min, step, painsim_version, scenario_name,
 *                    cell_type_names, mediator_names
 */
#ifndef PAINSIM_OUTPUT_H
#define PAINSIM_OUTPUT_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

#include "scenario.h"
#include "status.h"

typedef struct output output;

/* One tissue's data for a snapshot; all arrays are host memory owned by the caller. */
typedef struct {
    const scn_tissue *tissue;       /* name, origin, voxel size, dims */
    int n_fields;
    const char *const *field_names; /* [n_fields] */
    const float *const *fields;     /* [n_fields] each nz*ny*nx, x fastest, nM */
    size_t n_agents;
    const float *position_um;       /* [n_agents][3], world µm */
    const uint64_t *id;             /* [n_agents] */
    const int32_t *type;            /* [n_agents] */
    const int32_t *state;           /* [n_agents] */
    int n_vars;
    const char *const *var_names;   /* [n_vars] */
    const char *const *var_units;   /* [n_vars] */
    const float *const *vars;       /* [n_vars][n_agents] */
    /* Domain decomposition (all 0 otherwise): this rank's part of the tissue. The fields
     * hold planes [z0, z0 + nz_part) of the tissue; the agents are rows
     * [agent_offset, agent_offset + n_agents) of n_agents_total. */
    int part;
    int z0, nz_part;
    uint64_t agent_offset, n_agents_total;
} output_tissue;

/* Metadata written to run.json at the end. */
typedef struct {
    const char *device;             /* "platform / device" */
    uint64_t seed;
    long steps;
    double simulated_h;
    double wall_s;
    double output_s;                /* of wall_s: writing summary rows and snapshots */
    long agents_end;
    const char *status;             /* "completed" or a failure text */
} output_run_info;

/* Creates the run folder dir (and dir/snapshots). If dir exists and holds files,
 * fails with PS_ERR_IO unless force, in which case painsim's own files there are
 * removed first. Writes scenario.resolved.json. An unwritable or impossible path
 * fails with PS_ERR_IO and a message naming the path and the system error. */
ps_status output_open(output **o, const char *dir, int force, const scenario *s, ps_err *err);

/* Domain decomposition: every rank of comm calls it (collective). Rank 0 creates dir as
 * output_open does; snapshots are then written collectively into one file with parallel
 * HDF5 (MPI-IO), each rank its planes and agents; summary, XDMF and run.json are written
 * by rank 0 alone (the calls are no-ops elsewhere). On failure every rank gets the code;
 * rank 0 has the message, the others an empty one. */
ps_status output_open_mpi(output **o, const char *dir, int force, const scenario *s,
                          MPI_Comm comm, ps_err *err);
/* Same, or (reopen) output_reopen's continuation of an existing run folder. */
ps_status output_open_mpi_mode(output **o, const char *dir, int force, int reopen,
                               const scenario *s, MPI_Comm comm, ps_err *err);

/* Declares the summary columns (after the implicit first column time_h). Must be
 * called once before output_summary_row. Names are copied. */
ps_status output_summary_columns(output *o, int n, const char *const *names, ps_err *err);

/* Optional, after output_summary_columns: the unit of each of the n declared columns
 * (n must equal their number; NULL entries: none), copied. summary.h5 then gives every
 * column dataset a "units" attribute and /table a "units" array beside "columns". */
ps_status output_summary_set_units(output *o, int n, const char *const *units, ps_err *err);

/* Appends one summary row (n values in declared order) and rewrites summary.csv and
 * summary.h5 atomically. */
ps_status output_summary_row(output *o, double time_h, const double *values, ps_err *err);

/* Writes snapshots/snap_<step>.h5 atomically and rewrites snapshots.xmf. */
ps_status output_snapshot(output *o, long step, double time_h, int n_tissues,
                          const output_tissue *tissues, ps_err *err);

/* Writes run.json atomically. */
ps_status output_run_info_write(output *o, const output_run_info *info, ps_err *err);

/* Checkpoints: the summary rows so far ([n_rows][n_cols], time_h first), the XDMF body
 * of the snapshots written and their number (pointers into o); and their restoration
 * into a reopened o (after output_summary_columns), rewritten with the next row. */
void output_state(const output *o, size_t *n_rows, int *n_cols, const double **rows,
                  const char **xmf, int *n_snaps);
ps_status output_restore(output *o, size_t n_rows, const double *rows, const char *xmf, int n_snaps,
                         ps_err *err);

/* Reopens an existing run folder to continue a run (resume): nothing is removed or
 * rewritten until the run writes; fails (PS_ERR_IO) when dir is missing or unwritable. */
ps_status output_reopen(output **o, const char *dir, const scenario *s, ps_err *err);
const char *output_dir(const output *o);

/* Frees o (NULL is fine). Files already written stay. */
void output_close(output *o);

/* Writes `len` bytes to path via path.tmp, fsync and rename (atomic.h; for modules and
 * tests that write outside an output object). */
ps_status output_write_file_atomic(const char *path, const void *data, size_t len, ps_err *err);

/* Added with the output module: pacing of the summary files. Rewriting summary.csv and
 * summary.h5 after every row costs a fixed few ms (ext4 flushes a file renamed over
 * another) plus time proportional to the rows so far: with 40 columns on a VM disk,
 * 1000 rows took 11 s in all, 4000 rows 88 s. With min_interval_s > 0,
 * output_summary_row rewrites them only when at least that much wall time has passed
 * since the last rewrite; rows are kept in memory either way. Default 0: every row. */
void output_summary_set_min_interval(output *o, double min_interval_s);

/* Writes summary.csv and summary.h5 now if rows are pending (nothing otherwise).
 * output_run_info_write flushes first, and output_close flushes as best it can. */
ps_status output_summary_flush(output *o, ps_err *err);

/* mkdir -p path (folder.h); a failure names the path and the system error (PS_ERR_IO). */
ps_status output_make_folder(const char *path, ps_err *err);

/* One column of a table: numeric (num, NaN = missing: an empty CSV cell) or text. */
typedef struct {
    const char *name;               /* CSV header and HDF5 dataset name */
    const double *num;              /* [n_rows], or NULL for a text column */
    const char *const *text;        /* [n_rows] when num is NULL */
    const char *units;              /* optional HDF5 "units" attribute */
} output_column;

/* Writes a table atomically as CSV (header row, text quoted when needed) and as HDF5
 * (one 1-D dataset per column: float64 or variable-length UTF-8 strings; root
 * attributes title and columns). Used for sweep.csv / sweep.h5. */
ps_status output_table_write(const char *csv_path, const char *h5_path, const char *title,
                             size_t n_rows, int n_cols, const output_column *cols, ps_err *err);

#endif
