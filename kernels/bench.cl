/* bench.cl — the reference for effective bandwidth in `make bench`: a plain copy of
 * float4s, the fastest a memory-bound kernel can stream on this device. */
__kernel void bench_copy(__global const float4 *src, __global float4 *dst, uint n)
{
    uint i = get_global_id(0);
    if (i < n) dst[i] = src[i];
}
