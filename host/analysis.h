/* analysis.h — `painsim sensitivity`, `painsim trial` and `painsim calibrate`: questions
 * answered by many runs.
 *
 * The statistics live in Python next to SALib (Morris, Sobol) and pyabc (ABC-SMC): the
 * driver analysis/painsim_analysis.py reads the analysis file, designs the members,
 * computes indices, effect sizes or posteriors and draws the figures. It does not run
 * simulations itself. It asks this side, over a pair of pipes, to check or run sweep
 * files it writes, and the members then run through sweep_run on every MPI rank
 * (dynamic queue, one device per rank, resumable member by member), exactly as
 * `[mpirun -np N] painsim sweep` runs them. So
 *
 *   mpirun -np N bin/painsim sensitivity FILE.json --out DIR
 *
 * is a cluster run, and rank 0 is the only one with a Python child.
 *
 * The protocol (one line per message, fields separated by tabs; the child writes
 * requests on fd 3 and reads replies on fd 4, named in $PAINSIM_BRIDGE="3,4"):
 *   check SWEEP.json                 -> ok N | fail CODE MESSAGE
 *        parse the sweep and load every member's scenario; nothing runs
 *   columns SCENARIO.json [K=V ...]   -> ok NAME,NAME,... | fail CODE MESSAGE
 *        the summary.csv columns the scenario (with the overrides) would write
 *   resolve SCENARIO.json FILE [K=V ...] -> ok | fail CODE MESSAGE
 *        the resolved scenario (every default written out) into FILE
 *   sweep SWEEP.json OUT             -> ok | fail CODE MESSAGE
 *        run the sweep into OUT on every rank (CODE 9: some members failed, 130:
 *        stopped by SIGINT/SIGTERM, members checkpointed)
 * End of file on fd 3 ends the command; its exit status is the child's.
 */
#ifndef PAINSIM_ANALYSIS_H
#define PAINSIM_ANALYSIS_H

#include <mpi.h>
#include <signal.h>

#include "log.h"
#include "sweep.h"

/* 1 when argv1 is sensitivity, trial or calibrate. */
int analysis_is_command(const char *argv1);

/* Runs the command argv[1] with argv[2..] on every rank of comm (collective): every
 * argument goes to the Python driver; its sweeps run with members' settings (device,
 * verbosity, checkpoints, the stop flag; main.c reads them as `painsim sweep` does).
 * Returns the exit status for main() (the same on every rank): the driver's; 3 when it
 * cannot be found or started. */
int analysis_main(int argc, char **argv, const sweep_args *members, MPI_Comm comm, const log_ctx *lg);

#endif
