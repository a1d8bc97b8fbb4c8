/* output_runinfo.c — run.json: what ran, where, from which build, and how it ended.
 * Written atomically at the end of a run (or when it fails), after the summary rows
 * still held back by pacing.
 */
#include "output_impl.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "atomic.h"
#include "version.h"

ps_status output_run_info_write(output *o, const output_run_info *info, ps_err *err)
{
    /* rows held back by pacing; run.json is written even when that fails */
    ps_status flushed = output_summary_flush(o, err);
    if (o->parallel && o->rank != 0) return PS_OK;
    char path[PATH_MAX];
    PS_TRY(output_path(o, path, sizeof path, err, "run.json"));
    char host[256] = "unknown";
    if (gethostname(host, sizeof host) != 0) snprintf(host, sizeof host, "unknown");
    host[sizeof host - 1] = '\0';
    char now[32], seed[32];
    time_t t = time(NULL);
    struct tm tmv;
    gmtime_r(&t, &tmv);
    strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tmv);
    /* the seed as an exact integer: a JSON number through a double loses bits above 2^53 */
    snprintf(seed, sizeof seed, "%" PRIu64, info->seed);

    cJSON *j = cJSON_CreateObject();
    int ok = j != NULL;
    ok = ok && cJSON_AddStringToObject(j, "painsim_version", painsim_version());
    ok = ok && cJSON_AddStringToObject(j, "git_hash", painsim_git_hash());
    ok = ok && cJSON_AddStringToObject(j, "scenario", o->scenario_name);
    ok = ok && cJSON_AddStringToObject(j, "scenario_file", o->source_path);
    ok = ok && cJSON_AddStringToObject(j, "device", info->device ? info->device : "");
    ok = ok && cJSON_AddRawToObject(j, "seed", seed);
    ok = ok && cJSON_AddNumberToObject(j, "steps", (double)info->steps);
    ok = ok && cJSON_AddNumberToObject(j, "simulated_h", info->simulated_h);
    ok = ok && cJSON_AddNumberToObject(j, "wall_s", info->wall_s);
    ok = ok && cJSON_AddNumberToObject(j, "output_s", info->output_s);
    ok = ok && cJSON_AddNumberToObject(j, "agents_end", (double)info->agents_end);
    ok = ok && cJSON_AddNumberToObject(j, "snapshots", o->n_snaps);
    ok = ok && cJSON_AddNumberToObject(j, "summary_rows", (double)o->n_rows);
    ok = ok && cJSON_AddStringToObject(j, "status", info->status ? info->status : "");
    ok = ok && cJSON_AddStringToObject(j, "hostname", host);
    ok = ok && cJSON_AddStringToObject(j, "started_utc", o->started_utc);
    ok = ok && cJSON_AddStringToObject(j, "written_utc", now);
    char *text = ok ? cJSON_Print(j) : NULL;
    cJSON_Delete(j);
    if (!text) return ps_err_set(err, PS_ERR_MEMORY, "%s: out of host memory composing the file", path);
    size_t n = strlen(text);
    char *nl = realloc(text, n + 2);  /* end with a newline, like every text file */
    if (nl) {
        text = nl;
        text[n++] = '\n';
        text[n] = '\0';
    }
    ps_status st = atomic_write(path, text, n, 1, err);
    free(text);
    return flushed != PS_OK ? flushed : st;
}
