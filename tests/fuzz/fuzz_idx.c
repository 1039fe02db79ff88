/*
 * fuzz_idx.c — libFuzzer harness for the IDX reader (src/idx.c).
 *
 * IDX files reach nnlab from students' disks and from drag-and-drop, so
 * nn_idx_parse must refuse any byte string cleanly: no read outside the
 * input, no leak, no undefined behaviour, and every refusal a sentence that
 * names the file. The whole input is parsed as one file; then, to reach
 * nn_dataset_from_idx, it is also read as a pair of files: the first two
 * bytes (little-endian) say where the images file ends and the labels file
 * begins. A successful pair is turned into a dataset and used (gather,
 * slice) the way training would use it.
 *
 * Build and run with scripts/fuzz.sh; seeds are in tests/fuzz/corpus/idx/
 * (made by tests/fuzz/make_seeds.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nnlab.h"

// A broken invariant is a bug: abort so libFuzzer saves the input.
#define REQUIRE(cond)                                                                       \
    do {                                                                                    \
        if (!(cond)) __builtin_trap();                                                      \
    } while (0)

static const uint8_t zero_struct[sizeof(nn_idx)];

// Parse and check what any outcome must look like.
static int parse(const uint8_t *bytes, size_t len, const char *name, nn_idx *x) {
    int rc = nn_idx_parse(bytes, len, name, x);
    if (rc != NN_OK) {
        REQUIRE(rc == NN_ERR_FORMAT);                       // bytes alone can only be malformed
        REQUIRE(memcmp(x, zero_struct, sizeof *x) == 0);    // a failed parse leaves out empty
        REQUIRE(strstr(nn_last_error(), name) != NULL);     // and the sentence names the file
        return rc;
    }
    REQUIRE(x->type == 0x08 && (x->ndim == 1 || x->ndim == 3));
    size_t count = 1;
    for (int i = 0; i < x->ndim; i++) {
        REQUIRE(x->dims[i] > 0);
        count *= (size_t)x->dims[i];
    }
    REQUIRE(count == x->count && x->data != NULL);
    size_t header = 4 + 4 * (size_t)x->ndim;
    REQUIRE(len == header + count);                         // exact length, nothing ignored
    REQUIRE(memcmp(x->data, bytes + header, count) == 0);
    return rc;
}

// Use a dataset the way fit() does, so a wrong size in it shows up as an
// out-of-bounds access under AddressSanitizer.
static void use_dataset(const nn_dataset *d) {
    REQUIRE(d->n > 0 && d->features == d->rows * d->cols && d->features > 0);
    REQUIRE(d->n_classes >= 1 && d->n_classes <= 256);
    for (int i = 0; i < d->n; i++) REQUIRE(d->labels[i] < d->n_classes);
    // Gather the first and last samples (capped, the input is at most a few KB anyway).
    int32_t idx[2] = {0, d->n - 1};
    float *x = malloc(2 * (size_t)d->features * sizeof(float));
    uint8_t labels[2];
    if (x) {
        nn_dataset_gather(d, idx, 2, x, labels);
        REQUIRE(x[0] >= 0.0f && x[0] <= 1.0f && labels[1] == d->labels[d->n - 1]);
        free(x);
    }
    nn_dataset s;
    REQUIRE(nn_dataset_slice(d, d->n / 2, d->n - d->n / 2, &s) == NN_OK);
    REQUIRE(s.n == d->n - d->n / 2 && s.labels[0] == d->labels[d->n / 2]);
    nn_dataset_free(&s);
    REQUIRE(nn_dataset_slice(d, 1, d->n, &s) == NN_ERR_ARG); // one past the end
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    nn_idx x;
    if (parse(data, size, "fuzz-idx", &x) == NN_OK) nn_idx_free(&x);
    REQUIRE(x.data == NULL);

    if (size < 2) return 0;
    size_t split = (size_t)data[0] | ((size_t)data[1] << 8);
    const uint8_t *rest = data + 2;
    size_t rest_len = size - 2;
    if (split > rest_len) split = rest_len;
    // Each half gets its own allocation so a read past either end is caught.
    uint8_t *a = malloc(split ? split : 1), *b = malloc(rest_len - split ? rest_len - split : 1);
    if (!a || !b) {
        free(a);
        free(b);
        return 0;
    }
    memcpy(a, rest, split);
    memcpy(b, rest + split, rest_len - split);

    nn_idx images, labels;
    int ri = parse(a, split, "fuzz-images", &images);
    int rl = parse(b, rest_len - split, "fuzz-labels", &labels);
    free(a);
    free(b);
    if (ri == NN_OK && rl == NN_OK) {
        nn_dataset d;
        memset(&d, 0x5A, sizeof d);
        nn_dataset before = d;
        int rc = nn_dataset_from_idx(&images, &labels, &d);
        if (rc == NN_OK) {
            REQUIRE(images.data == NULL && labels.data == NULL); // ownership moved
            use_dataset(&d);
            nn_dataset_free(&d);
        } else {
            REQUIRE(rc == NN_ERR_FORMAT && nn_last_error()[0] != '\0');
            REQUIRE(memcmp(&d, &before, sizeof d) == 0);       // out untouched on failure
            REQUIRE(images.data != NULL && labels.data != NULL); // the caller still owns them
        }
    }
    nn_idx_free(&images);
    nn_idx_free(&labels);
    return 0;
}
