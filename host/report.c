/* report.c — run the viz/ tools (figures, ParaView render, HTML report) for the CLI.
 *
 * A thin launcher by design: the drawing lives in Python next to matplotlib and
 * ParaView, and the C side only finds the tool, checks the one thing it can check
 * cheaply (that a RUN is given) and relays the exit status. posix_spawn rather than
 * system(): the user's paths go to the child as separate arguments, never through a
 * shell. See report.h for the commands.
 */
#include "report.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"

extern char **environ;

#define REPORT_PATH_MAX 4096
#define REPORT_PYTHON_DEFAULT "/usr/bin/python3"

int report_is_command(const char *argv1)
{
    return argv1 != NULL && (strcmp(argv1, "report") == 0 || strcmp(argv1, "plot") == 0 ||
                             strcmp(argv1, "render") == 0);
}

static int report_is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int report_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int report_tool_dir(const char *env_name, const char *sub, char *buf, size_t n)
{
    const char *env = getenv(env_name);
    if (env && *env) return snprintf(buf, n, "%s", env) < (int)n ? 0 : -1;
    char exe[REPORT_PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len <= 0) {
        snprintf(exe, sizeof exe, ".");
    } else {
        exe[len] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) *slash = '\0';
    }
    return snprintf(buf, n, "%s/../%s", exe, sub) < (int)n ? 0 : -1;
}

static int report_viz_dir(char *buf, size_t n)
{
    return report_tool_dir("PAINSIM_VIZ", "viz", buf, n);
}

int report_python(char *buf, size_t n)
{
    const char *env = getenv("PAINSIM_PYTHON");
    if (env && *env) return snprintf(buf, n, "%s", env) < (int)n ? 0 : -1;
    char venv[REPORT_PATH_MAX];
    if (report_tool_dir("PAINSIM_VENV", ".venv", venv, sizeof venv) == 0 &&
        strlen(venv) + 16 < sizeof venv) {
        strcat(venv, "/bin/python3");
        if (access(venv, X_OK) == 0) return snprintf(buf, n, "%s", venv) < (int)n ? 0 : -1;
    }
    return snprintf(buf, n, "%s", REPORT_PYTHON_DEFAULT) < (int)n ? 0 : -1;
}

/* 1 when some folder of $PATH holds an executable called name. */
static int report_on_path(const char *name)
{
    const char *path = getenv("PATH");
    if (!path) return 0;
    size_t nlen = strlen(name);
    while (*path) {
        size_t k = strcspn(path, ":");
        char full[REPORT_PATH_MAX];
        if (k > 0 && k + 1 + nlen < sizeof full) {
            memcpy(full, path, k);
            full[k] = '/';
            memcpy(full + k + 1, name, nlen + 1);
            if (access(full, X_OK) == 0) return 1;
        }
        path += k;
        if (*path == ':') path++;
    }
    return 0;
}

/* Spawns argv (argv[0] looked up in $PATH when search is set), waits for it and
 * returns its exit status as main() should return it. */
static int report_spawn(const log_ctx *lg, char **argv, int search, const char *what)
{
    pid_t pid;
    int err = search ? posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ)
                     : posix_spawn(&pid, argv[0], NULL, NULL, argv, environ);
    if (err != 0) {
        log_error(lg, "cannot start %s: %s (%s; `make deps` installs the Debian packages, "
                      "PAINSIM_PYTHON names another interpreter)", argv[0], strerror(err), what);
        return 3;
    }
    int status = 0;
    for (;;) {
        pid_t r = waitpid(pid, &status, 0);
        if (r == pid) break;
        if (r < 0 && errno != EINTR) {
            log_error(lg, "waiting for %s: %s", argv[0], strerror(errno));
            return 3;
        }
    }
    if (WIFEXITED(status)) {
        int code = WEXITSTATUS(status);
        if (code != 0) log_error(lg, "%s failed (exit status %d; its message is above)", what, code);
        return code;
    }
    if (WIFSIGNALED(status)) {
        log_error(lg, "%s was killed by signal %d", what, WTERMSIG(status));
        return 128 + WTERMSIG(status);
    }
    return 3;
}

int report_main(int argc, char **argv)
{
    log_ctx lg;
    log_init(&lg, 0, 1, 0);
    const char *cmd = argv[1];
    if (argc < 3 || argv[2][0] == '-') {
        if (argc >= 3 && (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0)) {
            /* the tool prints its own help */
        } else {
            log_error(&lg, "%s: missing the run folder (painsim %s RUN ...; see `painsim help`)", cmd,
                      cmd);
            return 2;
        }
    }
    char viz[REPORT_PATH_MAX];
    if (report_viz_dir(viz, sizeof viz) != 0) {
        log_error(&lg, "%s: the viz folder path is too long (set PAINSIM_VIZ)", cmd);
        return 3;
    }
    /* plot on a sweep folder (or its sweep.csv) draws the sweep figures */
    const char *tool = "report.py";
    if (strcmp(cmd, "plot") == 0) {
        char csv[REPORT_PATH_MAX];
        int n = snprintf(csv, sizeof csv, "%s/sweep.csv", argv[2]);
        size_t len = strlen(argv[2]);
        int is_csv = len > 4 && strcmp(argv[2] + len - 4, ".csv") == 0;
        tool = (is_csv || (n > 0 && n < (int)sizeof csv && report_is_dir(argv[2]) && report_is_file(csv)))
                   ? "plot_sweep.py"
                   : "plot_summary.py";
    } else if (strcmp(cmd, "render") == 0) {
        tool = "paraview_render.py";
    }
    char script[REPORT_PATH_MAX];
    if (snprintf(script, sizeof script, "%s/%s", viz, tool) >= (int)sizeof script) {
        log_error(&lg, "%s: the viz folder path is too long (set PAINSIM_VIZ)", cmd);
        return 3;
    }
    if (!report_is_file(script)) {
        log_error(&lg, "%s: %s not found (painsim looks for viz/ next to bin/; set PAINSIM_VIZ to "
                       "the viz folder of the painsim source tree)", cmd, script);
        return 3;
    }

    /* child argv: launcher words, the script, then argv[2..], then NULL */
    char python[REPORT_PATH_MAX], headless[REPORT_PATH_MAX], pvbatch[] = "pvbatch";
    if (report_python(python, sizeof python) != 0) {
        log_error(&lg, "%s: the Python interpreter's path (PAINSIM_PYTHON or PAINSIM_VENV) is too long", cmd);
        return 2;
    }
    char *head[4];
    int nhead = 0, search = 0;
    if (strcmp(cmd, "render") == 0) {
        /* without a display (DISPLAY unset or empty, as report.py decides), viz/headless.py
         * gives pvbatch a private Xvfb of its own */
        const char *display = getenv("DISPLAY");
        if (display == NULL || display[0] == '\0') {
            if (snprintf(headless, sizeof headless, "%s/headless.py", viz) >= (int)sizeof headless) {
                log_error(&lg, "%s: the viz folder path is too long (set PAINSIM_VIZ)", cmd);
                return 3;
            }
            head[nhead++] = python;
            head[nhead++] = headless;
        }
        head[nhead++] = pvbatch;
        search = 1;
    } else {
        head[nhead++] = python;
    }
    size_t n = (size_t)nhead + 1 + (size_t)(argc - 2) + 1;
    char **child = calloc(n, sizeof *child);
    if (!child) {
        log_error(&lg, "%s: out of memory", cmd);
        return 5;
    }
    size_t k = 0;
    for (int i = 0; i < nhead; i++) child[k++] = head[i];
    child[k++] = script;
    for (int i = 2; i < argc; i++) child[k++] = argv[i];
    child[k] = NULL;
    char what[REPORT_PATH_MAX + 64];
    snprintf(what, sizeof what, "%s (painsim %s)", script, cmd);
    if (strcmp(cmd, "render") == 0 && !report_on_path("pvbatch")) {
        log_error(&lg, "render: pvbatch not found on PATH (ParaView 5.11: the Debian package "
                       "python3-paraview, `make deps`)");
        free(child);
        return 3;
    }
    int rc = report_spawn(&lg, child, search, what);
    free(child);
    return rc;
}
