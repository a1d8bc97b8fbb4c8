/* agents_secrete.cl — agent secretion and uptake summed per voxel.
 *
 * One work-item per agent, in cell-list order; the first entry of each bin (the sorted
 * keys of cellist.cl) walks its bin (sorted by id) and sums each agent's rates from the
 * (type, state) tables, a segmented reduction in id order: no float atomics, so the sums
 * are identical run to run, and the cost follows the agents, not the voxels. Only voxels
 * that hold agents are written: the field solve reads the buffers where
 * the cell list counts agents and ignores what the others hold (field_set_occupancy). Tables are per tissue, already converted to this tissue's voxel volume:
 *   sec[(type*PS_MAX_STATES + state)*nf + f]  nM/min added to the voxel per cell
 *   upt[(type*PS_MAX_STATES + state)*nf + f]  1/min first-order clearance per cell
 *   gain[type*nf + f]  secretion multiplier 1 + gain * pSTAT3 (JAK/STAT3 output)
 *   rel[(type*nf + f)*REL_SIZE + REL_*]  neuronal release, nM/min per unit lagged injury L and
 *                      per unit activity A, and its gain per unit of the neuron's pSTAT3 P:
 *                      (injury L + activity A)(1 + gain P) (zero for every non-neuron type)
 * An active knockout row (type, field, window) removes that secretion. Only the fields
 * some agent of the tissue can secrete or take up (flist, agents_field_list) are summed
 * and written: the others' buffers stay zero and the field solve does not read them.
 */
#include "common.cl"

__kernel void agents_secrete(__global const ulong *counters, __global const uint *key,
                             __global const uint *bin_count, __global const uint *order, __global const uchar *type,
                             __global const uchar *state, __global const float *vars, uint cap,
                             __global const float *sec, __global const float *upt,
                             __global const float *gain, __global const float *rel,
                             __global const float *pert, uint npert,
                             float t_min, __global float *src_out, __global float *upt_out,
                             uint nvox, uint nf, __global const uint *flist, uint nfa)
{
    uint b = get_global_id(0);
    if (nfa == 0u || b >= (uint)counters[CTR_N_AGENTS] || !ps_first_of_bin(key, b)) return;
    uint v = key[b], n = bin_count[v];
    float s[PS_MAX_FIELDS], u[PS_MAX_FIELDS];
    for (uint j = 0; j < nfa; j++) {
        s[j] = 0.0f;
        u[j] = 0.0f;
    }
    for (uint k = 0; k < n; k++) {
        uint a = order[b + k];
        uint t = type[a];
        uint row = (t * PS_MAX_STATES + (uint)state[a]) * nf;
        float P = vars[(size_t)VAR_PSTAT3 * cap + a];
        float L = vars[(size_t)VAR_INJURY * cap + a], A = vars[(size_t)VAR_ACTIVITY * cap + a];
        for (uint j = 0; j < nfa; j++) {
            uint f = flist[j];
            int knocked_out = 0;
            for (uint q = 0; q < npert; q++) {
                __global const float *p = pert + q * PT_SIZE;
                knocked_out |= (int)p[PT_KIND] == PTK_KNOCKOUT && (int)p[PT_TYPE] == (int)t &&
                               (int)p[PT_FIELD] == (int)f && t_min >= p[PT_START] &&
                               t_min < p[PT_STOP];
            }
            __global const float *r = rel + (t * nf + f) * REL_SIZE;
            if (!knocked_out)
                s[j] += sec[row + f] * (1.0f + gain[t * nf + f] * P) +
                        (r[REL_INJURY] * L + r[REL_ACTIVITY] * A) * (1.0f + r[REL_STAT3_GAIN] * P);
            u[j] += upt[row + f];
        }
    }
    for (uint j = 0; j < nfa; j++) {
        src_out[(size_t)flist[j] * nvox + v] = s[j];
        upt_out[(size_t)flist[j] * nvox + v] = u[j];
    }
}
