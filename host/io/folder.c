/* folder.c — creating, checking and clearing the run folder (see folder.h). */
#include "folder.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

ps_status folder_mkdir_p(const char *path, size_t *created, ps_err *err)
{
    char buf[PATH_MAX];
    *created = 0;
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return ps_err_set(err, PS_ERR_IO, "%s: path too long", path);
    for (char *p = buf + 1;; p++) {
        if (*p != '/' && *p != '\0') continue;
        if (p[-1] != '/') {         /* skip the empty components of "a//b" and "a/" */
            char c = *p;
            *p = '\0';
            if (mkdir(buf, 0777) == 0) {
                if (!*created) *created = strlen(buf);
            } else if (errno != EEXIST) {
                int e = errno;
                if (strcmp(buf, path) == 0)
                    return ps_err_set(err, PS_ERR_IO, "%s: cannot create the folder: %s", path,
                                      strerror(e));
                return ps_err_set(err, PS_ERR_IO, "%s: cannot create the folder: %s: %s", path,
                                  buf, strerror(e));
            } else {
                struct stat st;
                if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode))
                    return ps_err_set(err, PS_ERR_IO, "%s: cannot create the folder: %s: %s",
                                      path, buf, strerror(ENOTDIR));
            }
            *p = c;
        }
        if (*p == '\0') break;
    }
    return PS_OK;
}

void folder_rmdir_created(const char *path, size_t created)
{
    if (!created) return;
    char buf[PATH_MAX];
    snprintf(buf, sizeof buf, "%s", path);
    for (;;) {
        size_t n = strlen(buf);
        while (n > 1 && buf[n - 1] == '/') buf[--n] = '\0';
        if (n < created || rmdir(buf) != 0) return;
        char *slash = strrchr(buf, '/');
        if (!slash || (size_t)(slash - buf) < created) return;
        *slash = '\0';
    }
}

static int folder_ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* painsim's files in the run folder (top = 1) or in RUN/snapshots (top = 0). */
static int folder_is_ours(const char *name, int top)
{
    if (folder_ends_with(name, ".tmp")) return 1;
    if (!top) return strncmp(name, "snap_", 5) == 0 && folder_ends_with(name, ".h5");
    static const char *const exact[] = {"scenario.resolved.json", "run.json", "summary.csv",
                                        "summary.h5", "snapshots.xmf"};
    for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++)
        if (strcmp(name, exact[i]) == 0) return 1;
    return strncmp(name, "checkpoint_", 11) == 0 && folder_ends_with(name, ".h5");
}

/* Removes painsim's files from folder dir (top: the run folder, else its snapshots/). */
static ps_status folder_clear(const char *dir, int top, ps_err *err)
{
    DIR *d = opendir(dir);
    if (!d) {
        if (!top && errno == ENOENT) return PS_OK;
        return ps_err_set(err, PS_ERR_IO, "%s: cannot read the folder: %s", dir, strerror(errno));
    }
    ps_status st = PS_OK;
    struct dirent *e;
    while (st == PS_OK && (e = readdir(d)) != NULL) {
        if (!folder_is_ours(e->d_name, top)) continue;
        char f[PATH_MAX + 256];
        snprintf(f, sizeof f, "%s/%s", dir, e->d_name);
        if (unlink(f) != 0)
            st = ps_err_set(err, PS_ERR_IO, "%s: cannot remove the old file: %s", f, strerror(errno));
    }
    closedir(d);
    return st;
}

/* 1 when dir holds any entry; -1 (errno set) when it cannot be read. */
static int folder_has_entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return -1;
    struct dirent *e;
    int any = 0;
    while (!any && (e = readdir(d)) != NULL)
        any = strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return any;
}

ps_status folder_prepare(const char *dir, int force, ps_err *err)
{
    struct stat st;
    if (stat(dir, &st) != 0) {
        if (errno == ENOENT || errno == ENOTDIR) return PS_OK; /* folder_mkdir_p explains */
        return ps_err_set(err, PS_ERR_IO, "%s: cannot use as the output folder: %s", dir,
                          strerror(errno));
    }
    if (!S_ISDIR(st.st_mode))
        return ps_err_set(err, PS_ERR_IO, "%s: cannot use as the output folder: it exists and "
                          "is not a folder", dir);
    int any = folder_has_entries(dir);
    if (any < 0)
        return ps_err_set(err, PS_ERR_IO, "%s: cannot read the folder: %s", dir, strerror(errno));
    if (!any) return PS_OK;
    if (!force)
        return ps_err_set(err, PS_ERR_IO, "%s: output folder exists and is not empty; use --force "
                          "to overwrite it, or choose another --out", dir);
    char snaps[PATH_MAX + 16];
    snprintf(snaps, sizeof snaps, "%s/snapshots", dir);
    PS_TRY(folder_clear(snaps, 0, err));
    return folder_clear(dir, 1, err);
}

ps_status folder_probe(const char *dir, const char *what, ps_err *err)
{
    char path[PATH_MAX + 32];
    if (snprintf(path, sizeof path, "%s/.write_probe.tmp", dir) >= (int)sizeof path)
        return ps_err_set(err, PS_ERR_IO, "%s: path too long", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0)
        return ps_err_set(err, PS_ERR_IO, "%s: the %s folder is not writable: %s", dir, what,
                          strerror(errno));
    close(fd);
    unlink(path);
    return PS_OK;
}
