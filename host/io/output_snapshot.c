/* output_snapshot.c — snapshots/snap_NNNNNN.h5 (layout in output.h) and their XDMF 2
 * index snapshots.xmf, rewritten whole after each snapshot from a body kept in memory
 * (one write, no reformatting).
 *
 * XDMF choices, checked with ParaView 5.11's "Xdmf Reader" (XDMF 2, XDMFReader proxy):
 *  - agent ids are uint64 in HDF5 but described as NumberType="Int" Precision="8": the
 *    reader maps "UInt" Precision="8" to a 32-bit unsigned array and clamps every id
 *    above 2^32 (all ids outside tissue 0), while "Int" 8 gives an exact int64 array
 *    (ids stay below 2^63: the tissue index sits in the top 8 bits);
 *  - a tissue without agents at a time has no "<tissue>_agents" grid at that time (the
 *    reader fails on an empty Polyvertex); spatial collections may differ between
 *    times, which the reader handles.
 * Xdmf3ReaderS reads the same file but drops the block names, so the legacy reader is
 * the one to choose in ParaView.
 */
#include "output_impl.h"

#include <stdio.h>
#include <string.h>

#include "h5io.h"
#include "version.h"

/* ---- HDF5 -------------------------------------------------------------------------- */

/* Checks the caller's description of a snapshot (programming errors: PS_ERR_INTERNAL). */
static ps_status output_check_tissues(int n_tissues, const output_tissue *ts, ps_err *err)
{
    if (n_tissues < 0 || n_tissues > SCN_MAX_TISSUES || (n_tissues > 0 && !ts))
        return ps_err_set(err, PS_ERR_INTERNAL, "output_snapshot: %d tissues", n_tissues);
    for (int t = 0; t < n_tissues; t++) {
        const output_tissue *x = &ts[t];
        if (!x->tissue || !h5io_name_ok(x->tissue->name))
            return ps_err_set(err, PS_ERR_INTERNAL, "output_snapshot: tissue %d has no valid name", t);
        const char *tn = x->tissue->name;
        for (int u = 0; u < t; u++)
            if (strcmp(ts[u].tissue->name, tn) == 0)
                return ps_err_set(err, PS_ERR_INTERNAL, "output_snapshot: tissue %s given twice", tn);
        int dims[3];
        scenario_tissue_dims(x->tissue, dims);
        if (dims[0] <= 0 || dims[1] <= 0 || dims[2] <= 0)
            return ps_err_set(err, PS_ERR_INTERNAL, "output_snapshot: tissue %s has %d x %d x %d voxels",
                              tn, dims[0], dims[1], dims[2]);
        if (x->n_fields < 0 || (x->n_fields > 0 && (!x->field_names || !x->fields)))
            return ps_err_set(err, PS_ERR_INTERNAL, "output_snapshot: tissue %s: bad field list", tn);
        for (int i = 0; i < x->n_fields; i++) {
            if (!h5io_name_ok(x->field_names[i]) || !x->fields[i])
                return ps_err_set(err, PS_ERR_INTERNAL, "output_snapshot: tissue %s: field %d has "
                                  "no valid name or no data", tn, i);
            for (int j = 0; j < i; j++)
                if (strcmp(x->field_names[i], x->field_names[j]) == 0)
                    return ps_err_set(err, PS_ERR_INTERNAL, "output_snapshot: tissue %s: field %s "
                                      "given twice", tn, x->field_names[i]);
        }
        if (x->n_agents > 0 && (!x->position_um || !x->id || !x->type || !x->state))
            return ps_err_set(err, PS_ERR_INTERNAL, "output_snapshot: tissue %s: %zu agents "
                              "without data", tn, x->n_agents);
        if (x->n_vars < 0 || (x->n_vars > 0 && (!x->var_names || !x->vars)))
            return ps_err_set(err, PS_ERR_INTERNAL, "output_snapshot: tissue %s: bad variable list", tn);
        for (int k = 0; k < x->n_vars; k++) {
            const char *v = x->var_names[k];
            int clash = v && (strcmp(v, "position") == 0 || strcmp(v, "id") == 0 ||
                              strcmp(v, "type") == 0 || strcmp(v, "state") == 0);
            for (int j = 0; v && j < k; j++) clash |= strcmp(v, x->var_names[j]) == 0;
            if (!h5io_name_ok(v) || clash || (x->n_agents > 0 && !x->vars[k]))
                return ps_err_set(err, PS_ERR_INTERNAL, "output_snapshot: tissue %s: agent variable "
                                  "%d (%s) is unnamed, repeated, reserved or without data", tn, k,
                                  v ? v : "null");
        }
    }
    return PS_OK;
}

/* /tissues/<name>: grid attributes, fields and agents (a decomposed rank writes its
 * planes [z0, z0 + nz_part) and its agents' rows). */
static ps_status output_write_tissue(const output *o, hid_t tissues, const output_tissue *x, ps_err *err)
{
    ps_status st = PS_OK;
    hid_t g = -1, gf = -1, ga = -1;
    const scn_tissue *ts = x->tissue;
    int d[3];
    scenario_tissue_dims(ts, d);
    long long dims[3] = {d[0], d[1], d[2]};
    CHECK_H5(g = H5Gcreate2(tissues, ts->name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    if ((st = h5io_attr_num(g, "origin_um", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, ts->origin_um, 3, err)) ||
        (st = h5io_attr_num(g, "voxel_um", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &ts->voxel_um, 0, err)) ||
        (st = h5io_attr_num(g, "dims", H5T_STD_I64LE, H5T_NATIVE_LLONG, dims, 3, err)) ||
        (st = h5io_attr_num(g, "size_um", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, ts->size_um, 3, err)))
        goto done;

    CHECK_H5(gf = H5Gcreate2(g, "fields", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    hsize_t fd[3] = {(hsize_t)d[2], (hsize_t)d[1], (hsize_t)d[0]};
    hsize_t f0[3] = {(hsize_t)x->z0, 0, 0}, fc[3] = {(hsize_t)x->nz_part, fd[1], fd[2]};
    const hsize_t *fs = x->part ? f0 : NULL;
    for (int i = 0; i < x->n_fields; i++)
        if ((st = h5io_dataset_part(gf, x->field_names[i], H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 3, fd,
                                    fs, fc, x->fields[i], "nM", o->dxpl, err)))
            goto done;

    CHECK_H5(ga = H5Gcreate2(g, "agents", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    hsize_t n = x->part ? x->n_agents_total : x->n_agents, p[2] = {n, 3};
    hsize_t a0[2] = {x->agent_offset, 0}, ac[2] = {x->n_agents, 3};
    const hsize_t *as = x->part ? a0 : NULL;
    if ((st = h5io_dataset_part(ga, "position", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 2, p, as, ac,
                                x->position_um, "um", o->dxpl, err)) ||
        (st = h5io_dataset_part(ga, "id", H5T_STD_U64LE, H5T_NATIVE_UINT64, 1, &n, as, ac, x->id,
                                NULL, o->dxpl, err)) ||
        (st = h5io_dataset_part(ga, "type", H5T_STD_I32LE, H5T_NATIVE_INT32, 1, &n, as, ac, x->type,
                                NULL, o->dxpl, err)) ||
        (st = h5io_dataset_part(ga, "state", H5T_STD_I32LE, H5T_NATIVE_INT32, 1, &n, as, ac, x->state,
                                NULL, o->dxpl, err)))
        goto done;
    for (int k = 0; k < x->n_vars; k++) {
        const char *units = x->var_units && x->var_units[k] ? x->var_units[k] : "1";
        if ((st = h5io_dataset_part(ga, x->var_names[k], H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, 1, &n,
                                    as, ac, x->vars[k], units, o->dxpl, err)))
            goto done;
    }
done:
    if (ga >= 0) H5Gclose(ga);
    if (gf >= 0) H5Gclose(gf);
    if (g >= 0) H5Gclose(g);
    return st;
}

/* The root attributes and /tissues of one snapshot file. */
static ps_status output_write_snapshot_file(hid_t file, const output *o, long step, double time_h,
                                            int n_tissues, const output_tissue *ts, ps_err *err)
{
    ps_status st = PS_OK;
    hid_t g = -1;
    double time_min = time_h * 60.0;
    long long stp = step;
    const char *ver[1] = {painsim_version()}, *name[1] = {o->scenario_name};
    const char *types[SCN_MAX_TYPES], *meds[SCN_MAX_MEDIATORS];
    for (int i = 0; i < o->n_types; i++) types[i] = o->type_names[i];
    for (int i = 0; i < o->n_mediators; i++) meds[i] = o->mediator_names[i];
    if ((st = h5io_attr_num(file, "time_h", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &time_h, 0, err)) ||
        (st = h5io_attr_num(file, "time_min", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &time_min, 0, err)) ||
        (st = h5io_attr_num(file, "step", H5T_STD_I64LE, H5T_NATIVE_LLONG, &stp, 0, err)) ||
        (st = h5io_attr_str(file, "painsim_version", ver, 1, 0, err)) ||
        (st = h5io_attr_str(file, "scenario_name", name, 1, 0, err)) ||
        (st = h5io_attr_str(file, "cell_type_names", types, (hsize_t)o->n_types, 1, err)) ||
        (st = h5io_attr_str(file, "mediator_names", meds, (hsize_t)o->n_mediators, 1, err)))
        goto done;
    CHECK_H5(g = H5Gcreate2(file, "tissues", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    for (int t = 0; t < n_tissues; t++)
        if ((st = output_write_tissue(o, g, &ts[t], err))) goto done;
done:
    if (g >= 0) H5Gclose(g);
    return st;
}

/* ---- XDMF -------------------------------------------------------------------------- */

static void output_xmf_item(textbuf *b, const char *dims, const char *type, int prec, long step,
                            const char *tissue, const char *group, const char *name)
{
    textbuf_printf(b, "      <DataItem Dimensions=\"%s\" NumberType=\"%s\" Precision=\"%d\" "
                      "Format=\"HDF\">snapshots/snap_%06ld.h5:/tissues/", dims, type, prec, step);
    textbuf_xml(b, tissue);
    textbuf_printf(b, "/%s/", group);
    textbuf_xml(b, name);
    textbuf_printf(b, "</DataItem>\n");
}

static void output_xmf_attr_open(textbuf *b, const char *name, const char *center)
{
    textbuf_printf(b, "     <Attribute Name=\"");
    textbuf_xml(b, name);
    textbuf_printf(b, "\" AttributeType=\"Scalar\" Center=\"%s\">\n", center);
}

/* Appends the spatial collection of one snapshot to the XDMF body. */
static void output_xmf_snapshot(textbuf *b, long step, double time_h, int n_tissues,
                                const output_tissue *ts)
{
    textbuf_printf(b, "   <Grid Name=\"step_%06ld\" GridType=\"Collection\" CollectionType=\"Spatial\">\n"
                      "    <Time Value=\"%.9g\" />\n", step, time_h);
    for (int t = 0; t < n_tissues; t++) {
        const output_tissue *x = &ts[t];
        const scn_tissue *tis = x->tissue;
        int d[3];
        scenario_tissue_dims(tis, d);
        char dims[64];
        snprintf(dims, sizeof dims, "%d %d %d", d[2], d[1], d[0]);
        textbuf_printf(b, "    <Grid Name=\"");
        textbuf_xml(b, tis->name);
        textbuf_printf(b, "_fields\" GridType=\"Uniform\">\n"
                          "     <Topology TopologyType=\"3DCoRectMesh\" Dimensions=\"%d %d %d\" />\n"
                          "     <Geometry GeometryType=\"ORIGIN_DXDYDZ\">\n"
                          "      <DataItem Dimensions=\"3\" NumberType=\"Float\" Precision=\"8\" "
                          "Format=\"XML\">%.17g %.17g %.17g</DataItem>\n"
                          "      <DataItem Dimensions=\"3\" NumberType=\"Float\" Precision=\"8\" "
                          "Format=\"XML\">%.17g %.17g %.17g</DataItem>\n"
                          "     </Geometry>\n",
                       d[2] + 1, d[1] + 1, d[0] + 1, tis->origin_um[2], tis->origin_um[1],
                       tis->origin_um[0], tis->voxel_um, tis->voxel_um, tis->voxel_um);
        for (int i = 0; i < x->n_fields; i++) {
            output_xmf_attr_open(b, x->field_names[i], "Cell");
            output_xmf_item(b, dims, "Float", 4, step, tis->name, "fields", x->field_names[i]);
            textbuf_printf(b, "     </Attribute>\n");
        }
        textbuf_printf(b, "    </Grid>\n");
        /* the reader fails on an empty Polyvertex: a tissue without agents has no block */
        size_t na = x->part ? (size_t)x->n_agents_total : x->n_agents;
        if (na == 0) continue;
        char nd[32], n3[48];
        snprintf(nd, sizeof nd, "%zu", na);
        snprintf(n3, sizeof n3, "%zu 3", na);
        textbuf_printf(b, "    <Grid Name=\"");
        textbuf_xml(b, tis->name);
        textbuf_printf(b, "_agents\" GridType=\"Uniform\">\n"
                          "     <Topology TopologyType=\"Polyvertex\" NumberOfElements=\"%zu\" "
                          "NodesPerElement=\"1\" />\n"
                          "     <Geometry GeometryType=\"XYZ\">\n", na);
        output_xmf_item(b, n3, "Float", 4, step, tis->name, "agents", "position");
        textbuf_printf(b, "     </Geometry>\n");
        /* id: uint64 in the file, read as int64 (see the file header) */
        static const struct {
            const char *name, *type;
            int prec;
        } fixed[] = {{"id", "Int", 8}, {"type", "Int", 4}, {"state", "Int", 4}};
        for (size_t a = 0; a < sizeof fixed / sizeof fixed[0]; a++) {
            output_xmf_attr_open(b, fixed[a].name, "Node");
            output_xmf_item(b, nd, fixed[a].type, fixed[a].prec, step, tis->name, "agents", fixed[a].name);
            textbuf_printf(b, "     </Attribute>\n");
        }
        for (int v = 0; v < x->n_vars; v++) {
            output_xmf_attr_open(b, x->var_names[v], "Node");
            output_xmf_item(b, nd, "Float", 4, step, tis->name, "agents", x->var_names[v]);
            textbuf_printf(b, "     </Attribute>\n");
        }
        textbuf_printf(b, "    </Grid>\n");
    }
    textbuf_printf(b, "   </Grid>\n");
}

static ps_status output_write_xmf(const output *o, ps_err *err)
{
    char path[PATH_MAX];
    PS_TRY(output_path(o, path, sizeof path, err, "snapshots.xmf"));
    textbuf b = {0};
    textbuf_printf(&b, "<?xml version=\"1.0\" ?>\n<!DOCTYPE Xdmf SYSTEM \"Xdmf.dtd\" []>\n"
                       "<Xdmf Version=\"2.0\">\n <Domain>\n  <Grid Name=\"");
    textbuf_xml(&b, o->scenario_name);
    textbuf_printf(&b, "\" GridType=\"Collection\" CollectionType=\"Temporal\">\n");
    if (o->xmf.oom) b.oom = 1;
    else if (o->xmf.len) textbuf_printf(&b, "%s", o->xmf.p);
    textbuf_printf(&b, "  </Grid>\n </Domain>\n</Xdmf>\n");
    ps_status st = textbuf_write(&b, path, 1, err);
    textbuf_free(&b);
    return st;
}

ps_status output_snapshot(output *o, long step, double time_h, int n_tissues,
                          const output_tissue *tissues, ps_err *err)
{
    if (step < 0) return ps_err_set(err, PS_ERR_INTERNAL, "output_snapshot: step %ld < 0", step);
    PS_TRY(output_check_tissues(n_tissues, tissues, err));
    char path[PATH_MAX];
    PS_TRY(output_path(o, path, sizeof path, err, "snapshots/snap_%06ld.h5", step));
    h5io_file f;
    ps_status built = h5io_create(&f, path, "cannot write", o->fapl,
                                  o->parallel ? o->comm : MPI_COMM_NULL);
    f.sync = 1;
    if (built == PS_OK)
        built = output_write_snapshot_file(f.id, o, step, time_h, n_tissues, tissues, &f.why);
    PS_TRY(h5io_finish(&f, built, err));
    output_xmf_snapshot(&o->xmf, step, time_h, n_tissues, tissues);
    o->n_snaps++;
    if (o->parallel && o->rank != 0) return PS_OK;
    return output_write_xmf(o, err);
}
