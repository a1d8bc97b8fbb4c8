/* report.h — `painsim report`, `painsim plot` and `painsim render`: pictures of runs.
 *
 * The figures, the ParaView render and the HTML report are Python tools under viz/
 * (matplotlib and ParaView's pvbatch do the drawing); these commands find them and run
 * them in a child process, passing the remaining arguments through unchanged and the
 * child's exit status back. The tool folder is $PAINSIM_VIZ, else
 * <dir of the executable>/../viz (as kernels/ is found); the interpreter is
 * $PAINSIM_PYTHON, else the project's virtual environment (`make deps` makes
 * <dir of the executable>/../.venv, with Debian's site packages visible, so ParaView,
 * matplotlib and h5py stay Debian's; $PAINSIM_VENV names another), else
 * /usr/bin/python3.
 *
 *   painsim report RUN [RUN ...] [options]   viz/report.py: RUN/report.html
 *   painsim plot RUN [RUN ...] [options]     viz/plot_summary.py: RUN/figures/
 *   painsim plot SWEEP [options]             viz/plot_sweep.py (SWEEP has sweep.csv)
 *   painsim render RUN [options]             pvbatch viz/paraview_render.py, through
 *                                            viz/headless.py (a private Xvfb) when
 *                                            DISPLAY is unset
 *
 * The child is started with posix_spawn (no shell: arguments are never pasted into a
 * command string). These commands need neither MPI nor an OpenCL device, so main()
 * dispatches them before MPI_Init: an MPI library can object to fork-like calls made
 * after it started.
 */
#ifndef PAINSIM_REPORT_H
#define PAINSIM_REPORT_H

#include <stddef.h>

/* 1 when argv1 names one of the commands above. */
int report_is_command(const char *argv1);

/* Runs the command argv[1] (report, plot or render) with argv[2..]. Returns the exit
 * status for main(): the tool's own status; 2 for a usage error found here (no RUN);
 * 3 when the viz folder, the tool or the interpreter cannot be found or started (the
 * message names the path and says what to install or set); 128 + N when the tool was
 * killed by signal N. Messages go to stderr as "painsim: error: ...". */
int report_main(int argc, char **argv);

/* A tool folder: $env_name, else <dir of the executable>/../sub. 0, or -1 when the path
 * does not fit in n bytes. */
int report_tool_dir(const char *env_name, const char *sub, char *buf, size_t n);

/* The interpreter for the Python tools, as above. 0, or -1 when it does not fit. */
int report_python(char *buf, size_t n);

#endif
