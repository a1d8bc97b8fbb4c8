/* neurons.cl — the injury state of each nociceptor neuron, shared by its compartments.
 *
 * A lesion flag (set by the neuron's peripheral terminal when the lesion happens inside
 * the lesion region) injures the neuron fully; a neurotoxic drug (CIPN) injures at
 * toxin_rate * C/(C + EC50) and injury repairs at `repair` (a constant plus what the
 * soma senses: agents_signal.cl writes repair_signal), integrated linearly
 * implicitly: I <- (I + dt k) / (1 + dt (k + repair)). Compartments read I through a
 * first-order lag (agents_signal.cl), the transport delay along the axon.
 */
#include "common.cl"

__kernel void neurons_update(__global float *injury, __global uint *lesion_flag, uint n,
                             __global const float *drug_conc, int toxin_index, float ec50,
                             float rate_per_min, float repair_per_min, float dt,
                             __global const float *repair_signal, int lesion_permanent)
{
    uint i = get_global_id(0);
    if (i >= n) return;
    float I = injury[i];
    if (lesion_flag[i]) {
        if (lesion_permanent) {     /* a transected axon: the flag stays, I stays 1 */
            injury[i] = 1.0f;
            return;
        }
        I = 1.0f;
        lesion_flag[i] = 0u;
    }
    repair_per_min += repair_signal[i];
    float k = 0.0f;
    if (toxin_index >= 0) {
        float c = drug_conc[toxin_index];
        k = rate_per_min * c / (c + ec50);
    }
    injury[i] = (I + dt * k) / (1.0f + dt * (k + repair_per_min));
}
