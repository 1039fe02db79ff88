/*
 * test_rng.c — the random generator: shuffles, uniforms and normals.
 *
 * A shuffle must be a permutation and every permutation must be equally
 * likely. The second is checked with a chi-square bound over all orders of
 * 3 and 4 elements; an off-by-one in Fisher–Yates (Sattolo's algorithm,
 * which only makes cycles and never leaves an element in place) or a modulo
 * taken from the wrong range fails it by orders of magnitude. The bounds are
 * the 0.999 quantiles of chi-square, and the seeds are fixed, so the test is
 * deterministic and a failure is a real bias, not bad luck.
 */
#include "nn_test.h"

// ---------------------------------------------------------------------------
// Shuffles

static void test_shuffle_is_permutation(void) {
    nn_rng r;
    nn_rng_seed(&r, 1);
    enum { N = 1000 };
    int32_t idx[N];
    int seen[N] = {0}, moved = 0;
    for (int i = 0; i < N; i++) idx[i] = i;
    nn_rng_shuffle(&r, idx, N);
    for (int i = 0; i < N; i++) {
        if (idx[i] >= 0 && idx[i] < N) seen[idx[i]]++;
        moved += idx[i] != i;
    }
    int once = 0;
    for (int i = 0; i < N; i++) once += seen[i] == 1;
    CHECK(once == N, "every index exactly once (%d of %d)", once, N);
    CHECK(moved > N / 2, "the order changed (%d of %d moved)", moved, N);
    int32_t one = 7;
    nn_rng_shuffle(&r, &one, 1);
    nn_rng_shuffle(&r, NULL, 0);
    CHECK(one == 7, "one element stays");
}

// Shuffles `n` elements `draws` times; returns chi-square over the n!
// orders (each expected draws / n! times) and the number of orders seen.
static double chi_square_of_orders(int n, int draws, uint64_t seed, int *orders_seen) {
    nn_rng r;
    nn_rng_seed(&r, seed);
    int cells = 1, factorial = 1;
    for (int i = 0; i < n; i++) cells *= n, factorial *= i + 1;
    int *count = calloc((size_t)cells, sizeof *count);
    for (int d = 0; d < draws; d++) {
        int32_t idx[8];
        for (int i = 0; i < n; i++) idx[i] = i;
        nn_rng_shuffle(&r, idx, n);
        int code = 0;
        for (int i = 0; i < n; i++) code = code * n + idx[i];
        count[code]++;
    }
    double expected = (double)draws / factorial, chi2 = 0.0;
    int seen = 0, total = 0;
    for (int c = 0; c < cells; c++) {
        int digits = c, used = 0, perm = 1;
        for (int i = 0; i < n; i++, digits /= n) {
            if (used & (1 << (digits % n))) perm = 0;
            used |= 1 << (digits % n);
        }
        if (!perm) continue; // only permutations can occur (checked above)
        chi2 += (count[c] - expected) * (count[c] - expected) / expected;
        seen += count[c] > 0;
        total += count[c];
    }
    free(count);
    *orders_seen = total == draws ? seen : -1;
    return chi2;
}

static void test_shuffle_is_uniform(void) {
    int seen;
    // 3 elements: 6 orders, 5 degrees of freedom, 0.999 quantile 20.52.
    double c3 = chi_square_of_orders(3, 60000, 11, &seen);
    CHECK(seen == 6 && c3 < 20.52, "3 elements: %d of 6 orders, chi-square %.1f (bound 20.52)", seen, c3);
    // 4 elements: 24 orders, 23 degrees of freedom, 0.999 quantile 49.73.
    double c4 = chi_square_of_orders(4, 48000, 12, &seen);
    CHECK(seen == 24 && c4 < 49.73, "4 elements: %d of 24 orders, chi-square %.1f (bound 49.73)", seen, c4);
    // Each element lands in each position equally often, position 0 included.
    nn_rng r;
    nn_rng_seed(&r, 13);
    enum { N = 5, DRAWS = 50000 };
    int at[N][N] = {{0}};
    for (int d = 0; d < DRAWS; d++) {
        int32_t idx[N] = {0, 1, 2, 3, 4};
        nn_rng_shuffle(&r, idx, N);
        for (int i = 0; i < N; i++) at[i][idx[i]]++;
    }
    double chi2 = 0.0, e = (double)DRAWS / N;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) chi2 += (at[i][j] - e) * (at[i][j] - e) / e;
    // 16 degrees of freedom ((5-1)^2), 0.999 quantile 39.25.
    CHECK(chi2 < 39.25, "element by position: chi-square %.1f (bound 39.25); %d stayed at 0", chi2, at[0][0]);
}

// ---------------------------------------------------------------------------
// Distributions

static void test_uniform(void) {
    nn_rng r;
    nn_rng_seed(&r, 2);
    enum { N = 200000 };
    double sum = 0.0, lo = 1.0, hi = 0.0;
    int outside = 0, below_half = 0;
    for (int i = 0; i < N; i++) {
        float u = nn_rng_uniform(&r);
        outside += !(u >= 0.0f && u < 1.0f);
        below_half += u < 0.5f;
        sum += u;
        lo = fmin(lo, u);
        hi = fmax(hi, u);
    }
    CHECK(outside == 0, "%d values outside [0, 1)", outside);
    CHECK(lo < 1e-4 && hi > 1.0 - 1e-4, "the whole range is reached: [%g, %g]", lo, hi);
    CHECK_NEAR(sum / N, 0.5, 0.003, "mean %.4f", sum / N);          // sd of the mean: 0.00065
    CHECK_NEAR((double)below_half / N, 0.5, 0.005, "%d below one half", below_half);
}

static void moments(float (*draw)(nn_rng *), uint64_t seed, int n, double *mean, double *var, double *lo,
                    double *hi) {
    nn_rng r;
    nn_rng_seed(&r, seed);
    double s = 0.0, s2 = 0.0;
    *lo = INFINITY, *hi = -INFINITY;
    for (int i = 0; i < n; i++) {
        double x = draw(&r);
        s += x, s2 += x * x;
        *lo = fmin(*lo, x), *hi = fmax(*hi, x);
    }
    *mean = s / n;
    *var = s2 / n - *mean * *mean;
}

static void test_normals(void) {
    enum { N = 200000 };
    double mean, var, lo, hi;
    moments(nn_rng_normal, 3, N, &mean, &var, &lo, &hi);
    CHECK_NEAR(mean, 0.0, 0.01, "normal mean %.4f", mean); // sd of the mean: 0.0022
    CHECK_NEAR(var, 1.0, 0.015, "normal variance %.4f", var);
    CHECK(lo < -3.5 && hi > 3.5, "normal tails reached: [%.2f, %.2f]", lo, hi);
    // Truncated at two standard deviations: variance 1 - 4 phi(2) / (2 Phi(2) - 1) = 0.77372.
    moments(nn_rng_truncated_normal, 4, N, &mean, &var, &lo, &hi);
    CHECK(lo >= -2.0 && hi <= 2.0, "truncated normal inside [-2, 2]: [%.4f, %.4f]", lo, hi);
    CHECK(lo < -1.99 && hi > 1.99, "and close to both bounds");
    CHECK_NEAR(mean, 0.0, 0.01, "truncated mean %.4f", mean);
    CHECK_NEAR(var, 0.77372, 0.01, "truncated variance %.4f", var);
}

static void test_seeds(void) {
    nn_rng a, b, c;
    nn_rng_seed(&a, 42);
    nn_rng_seed(&b, 42);
    nn_rng_seed(&c, 43);
    int same = 1, differ = 0;
    for (int i = 0; i < 100; i++) {
        uint32_t x = nn_rng_u32(&a), y = nn_rng_u32(&b), z = nn_rng_u32(&c);
        same &= x == y;
        differ += x != z;
    }
    CHECK(same, "the same seed gives the same stream");
    CHECK(differ > 95, "another seed gives another stream (%d of 100 differ)", differ);
}

int main(void) {
    RUN(test_shuffle_is_permutation);
    RUN(test_shuffle_is_uniform);
    RUN(test_uniform);
    RUN(test_normals);
    RUN(test_seeds);
    return nn_test_report();
}
