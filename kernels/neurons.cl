/* neurons.cl — the state each nociceptor neuron shares between its compartments.
 *
 * Injury I: a lesion flag (set by the neuron's peripheral terminal when the lesion
 * happens inside the lesion region) injures the neuron fully; a neurotoxic drug (CIPN)
 * injures at toxin_rate * C/(C + EC50) and injury repairs at `repair` (a constant plus
 * what the soma senses, row NS_REPAIR), integrated linearly implicitly:
 * I <- (I + dt k) / (1 + dt (k + repair)). Compartments read I through a first-order
 * lag (agents_signal.cl), the transport delay along the axon.
 *
 * The pain readout's neuron-level part (scenarios/README.md "The pain readout"), from the
 * rows the compartments wrote in the previous step:
 *   afferent drive  D = intrinsic + E_soma + E_peripheral                  (NX_ACTIVITY)
 *   memory          M <- (M + dt k_i u) / (1 + dt (k_i u + k_d)),  u = G^n / (G^n + K^n)  (NX_MEMORY)
 *   priming         P <- (P + dt k_p T) / (1 + dt (k_p T + k_pd)),  T = max(0, sum of the priming
 *                   terms' w H(x), the rows in prime_mask)                          (NX_PRIME)
 *   pSTAT3          the soma's, for the terminals' STAT3-graded release           (NX_STAT3)
 * Each work-item reads and writes only its own neuron: order-free.
 */
#include "common.cl"

__kernel void neurons_update(__global float *injury, __global uint *lesion_flag, uint n,
                             __global const float *drug_conc, int toxin_index, float ec50,
                             float rate_per_min, float repair_per_min, float dt,
                             __global const float *nsig, __global float *nstate,
                             int lesion_permanent, float mem_induce, float mem_decay, float mem_K,
                             float mem_hill, uint prime_mask, float prime_induce, float prime_decay)
{
    uint i = get_global_id(0);
    if (i >= n) return;
    float D = nsig[NS_INTRINSIC * n + i] + nsig[NS_ESOMA * n + i] + nsig[NS_EPER * n + i];
    float G = nsig[NS_GAIN * n + i];
    float M = nstate[NX_MEMORY * n + i];
    float u = mem_induce * ps_hill(G, mem_K, mem_hill);
    nstate[NX_ACTIVITY * n + i] = D;
    nstate[NX_STAT3 * n + i] = nsig[NS_STAT3 * n + i];
    nstate[NX_MEMORY * n + i] = (M + dt * u) / (1.0f + dt * (u + mem_decay));
    float T = 0.0f;
    for (uint k = 0; k < NP_MAX_TERMS; k++)
        if ((prime_mask >> k) & 1u) T += nsig[(NS_TERM0 + k) * n + i];
    float Pr = nstate[NX_PRIME * n + i], up = prime_induce * fmax(T, 0.0f);
    nstate[NX_PRIME * n + i] = (Pr + dt * up) / (1.0f + dt * (up + prime_decay));

    float I = injury[i];
    if (lesion_flag[i]) {
        if (lesion_permanent) {     /* a transected axon: the flag stays, I stays 1 */
            injury[i] = 1.0f;
            return;
        }
        I = 1.0f;
        lesion_flag[i] = 0u;
    }
    repair_per_min += nsig[NS_REPAIR * n + i];
    float k = 0.0f;
    if (toxin_index >= 0) {
        float c = drug_conc[toxin_index];
        k = rate_per_min * c / (c + ec50);
    }
    injury[i] = (I + dt * k) / (1.0f + dt * (k + repair_per_min));
}
