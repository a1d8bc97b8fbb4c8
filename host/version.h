/* version.h — painsim's version and the git commit it was built from. */
#ifndef PAINSIM_VERSION_H
#define PAINSIM_VERSION_H

const char *painsim_version(void);   /* "0.1.0" */
const char *painsim_git_hash(void);  /* short hash, "-dirty" suffix for local changes, or "unknown" */

#endif
