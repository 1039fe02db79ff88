/*
 * nn_fixtures.h — small data made inside the tests, so no test depends on a
 * download: IDX byte strings and synthetic datasets with a fixed seed.
 */
#ifndef NN_FIXTURES_H
#define NN_FIXTURES_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nnlab.h"

// Append a big-endian u32.
static inline uint8_t *nn_fix_be32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
    return p + 4;
}

// An IDX file of unsigned bytes in a malloc'd buffer: header for `ndim` dims,
// then `data_len` bytes from `data` (or a counting pattern if data is NULL).
// data_len need not match the dims, so truncated and padded files are easy.
static inline uint8_t *nn_fix_idx(int ndim, const uint32_t *dims, const uint8_t *data,
                                  size_t data_len, size_t *len) {
    *len = 4 + 4 * (size_t)ndim + data_len;
    uint8_t *buf = malloc(*len);
    uint8_t *p = buf;
    *p++ = 0;
    *p++ = 0;
    *p++ = 0x08;
    *p++ = (uint8_t)ndim;
    for (int i = 0; i < ndim; i++) p = nn_fix_be32(p, dims[i]);
    for (size_t i = 0; i < data_len; i++) p[i] = data ? data[i] : (uint8_t)(i * 7u);
    return buf;
}

static inline int nn_fix_write(const char *path, const uint8_t *bytes, size_t len) {
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    size_t n = fwrite(bytes, 1, len, f);
    return (fclose(f) == 0 && n == len) ? 0 : -1;
}

// A learnable toy dataset: n samples of `features` pixels in `classes`
// classes; each class lights up its own band of pixels, plus seeded noise.
static inline int nn_fix_dataset(nn_dataset *d, int n, int features, int classes,
                                 uint64_t seed) {
    nn_rng r;
    nn_rng_seed(&r, seed);
    memset(d, 0, sizeof *d);
    d->n = n;
    d->rows = 1;
    d->cols = features;
    d->features = features;
    d->n_classes = classes;
    d->images = malloc((size_t)n * (size_t)features);
    d->labels = malloc((size_t)n);
    if (!d->images || !d->labels) return NN_ERR_NOMEM;
    for (int i = 0; i < n; i++) {
        int c = (int)(nn_rng_u32(&r) % (uint32_t)classes);
        d->labels[i] = (uint8_t)c;
        for (int j = 0; j < features; j++) {
            int band = j * classes / features;
            int v = (int)(nn_rng_u32(&r) % 64u) + (band == c ? 160 : 0);
            d->images[(size_t)i * features + j] = (uint8_t)(v > 255 ? 255 : v);
        }
    }
    return NN_OK;
}

// `k` training steps on batches of 8, starting at batch `first` of d (samples
// taken in order, wrapping around). Returns the first failing status.
static inline int nn_fix_train_batches(nn_model *m, const nn_dataset *d, int first, int k) {
    float *x = malloc(8 * (size_t)d->features * sizeof *x);
    uint8_t y[8];
    int rc = x ? NN_OK : NN_ERR_NOMEM;
    for (int b = first; b < first + k && rc == NN_OK; b++) {
        int32_t idx[8];
        for (int i = 0; i < 8; i++) idx[i] = (b * 8 + i) % d->n;
        nn_dataset_gather(d, idx, 8, x, y);
        rc = nn_model_train_batch(m, x, y, 8, NULL, NULL);
    }
    free(x);
    return rc;
}

// A loss computed in double from the model's parameters (each whole-model
// gradient test writes its own reference forward pass).
typedef double (*nn_fix_loss_fn)(const nn_model *m, const float *x, const uint8_t *labels, int B);

// Central differences (h = 1e-3) of ref over every parameter against grad(n_params).
// Returns how many differ by more than abs_tol + rel_tol·|fd|; *worst gets the
// largest difference, *bad (when any) the first such parameter, *bad_fd its fd.
static inline int nn_fix_grad_check(nn_model *m, nn_fix_loss_fn ref, const float *x, const uint8_t *labels,
                                    int B, const float *grad, double abs_tol, double rel_tol, double *worst,
                                    size_t *bad, double *bad_fd) {
    int n_bad = 0;
    *worst = 0;
    for (size_t i = 0; i < m->n_params; i++) {
        float keep = m->params[i];
        double h = 1e-3;
        m->params[i] = keep + (float)h;
        double lp = ref(m, x, labels, B);
        m->params[i] = keep - (float)h;
        double lm = ref(m, x, labels, B);
        m->params[i] = keep;
        double fd = (lp - lm) / (2 * h), err = fabs(grad[i] - fd);
        if (err > *worst) *worst = err;
        if (err > abs_tol + rel_tol * fabs(fd) && n_bad++ == 0) {
            *bad = i;
            *bad_fd = fd;
        }
    }
    return n_bad;
}

#endif
