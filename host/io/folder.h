/* folder.h — the run folder on disk: created with its parents, refused when it holds
 * someone's files, cleared of painsim's own files with --force, undone on failure.
 *
 * painsim's files are exactly those output.h lists (and checkpoints and *.tmp): a
 * user's own files in the folder are never removed.
 */
#ifndef PAINSIM_FOLDER_H
#define PAINSIM_FOLDER_H

#include <stddef.h>

#include "status.h"

/* Creates path and its missing parents (mkdir -p). *created gets the length of the
 * shortest prefix of path that this call created, or 0 if it created nothing. A failure
 * names path (and the component that failed) and the system error (PS_ERR_IO). */
ps_status folder_mkdir_p(const char *path, size_t *created, ps_err *err);

/* Undoes folder_mkdir_p: removes path and its parents down to the prefix it created
 * (rmdir only: a folder that is no longer empty stays). */
void folder_rmdir_created(const char *path, size_t created);

/* Prepares dir for a new run: nothing to do when it is missing or empty; refuses a
 * non-empty one without force (PS_ERR_IO: "use --force ..."), else removes painsim's
 * files from it and from dir/snapshots. */
ps_status folder_prepare(const char *dir, int force, ps_err *err);

/* Proves dir writable by creating and removing a probe file; the failure says
 * "DIR: the WHAT folder is not writable: REASON" (PS_ERR_IO). */
ps_status folder_probe(const char *dir, const char *what, ps_err *err);

#endif
