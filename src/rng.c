/*
 * rng.c — PCG32 random numbers.
 *
 * One generator per model, seeded once, drives initialisation, shuffling and
 * dropout, so a seed reproduces a whole training run on every platform
 * (native and wasm give the same numbers: only integer arithmetic and
 * correctly rounded float operations are used to make uniforms).
 */
#include <math.h>

#include "nnlab.h"

void nn_rng_seed(nn_rng *r, uint64_t seed) {
    r->state = 0;
    r->inc = (seed << 1u) | 1u;
    nn_rng_u32(r);
    r->state += 0x853c49e6748fea9bULL ^ seed;
    nn_rng_u32(r);
}

uint32_t nn_rng_u32(nn_rng *r) {
    uint64_t old = r->state;
    r->state = old * 6364136223846793005ULL + r->inc;
    uint32_t xorshifted = (uint32_t)(((old >> 18u) ^ old) >> 27u);
    uint32_t rot = (uint32_t)(old >> 59u);
    return (xorshifted >> rot) | (xorshifted << ((-rot) & 31));
}

float nn_rng_uniform(nn_rng *r) { return (float)(nn_rng_u32(r) >> 8) * (1.0f / 16777216.0f); }

// Box-Muller in double; one value per call keeps the stream simple to reason about.
float nn_rng_normal(nn_rng *r) {
    double u1 = ((double)nn_rng_u32(r) + 1.0) / 4294967297.0; // (0, 1)
    double u2 = (double)nn_rng_u32(r) / 4294967296.0;
    return (float)(sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2));
}

float nn_rng_truncated_normal(nn_rng *r) {
    for (;;) {
        float x = nn_rng_normal(r);
        if (x >= -2.0f && x <= 2.0f) return x;
    }
}

void nn_rng_shuffle(nn_rng *r, int32_t *idx, int n) {
    for (int i = n - 1; i > 0; i--) {
        int j = (int)(nn_rng_u32(r) % (uint32_t)(i + 1));
        int32_t t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
    }
}
