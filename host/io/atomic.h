/* atomic.h — a file that appears whole or not at all.
 *
 * A file is written as PATH.tmp in its final folder and renamed over PATH when complete,
 * so a reader (ParaView, a plotting script, a killed run's post-mortem) never meets a
 * half-written file under a final name. fsync before the rename makes it durable across
 * a power loss too; it is optional because a file rewritten after every summary row
 * would pay more for the flush than for the write.
 */
#ifndef PAINSIM_ATOMIC_H
#define PAINSIM_ATOMIC_H

#include <stddef.h>

#include "status.h"

/* Writes len bytes of data to path via path.tmp + rename (sync: fsync first). On any
 * failure path.tmp is removed and PS_ERR_IO names path and the system error:
 * "PATH: cannot write: REASON" or "PATH: cannot move the finished file into place: REASON". */
ps_status atomic_write(const char *path, const void *data, size_t len, int sync, ps_err *err);

#endif
