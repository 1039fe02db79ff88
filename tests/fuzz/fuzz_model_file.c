/*
 * fuzz_model_file.c — libFuzzer harness for the model-file reader
 * (src/model_file.c).
 *
 * A .nnl file can be anything a student renames or a transfer damages, so
 * nn_model_load_buffer must refuse any byte string cleanly: no read outside
 * the input, no leak, no undefined behaviour, the caller's model untouched,
 * and a sentence naming the file. A file that loads must give a usable model:
 * it predicts one input, trains one step and its summary prints; saved again,
 * it loads again, and a second save gives the same bytes (the format
 * round-trips).
 *
 * The trailing CRC-32 would stop almost every mutation at the checksum, so
 * each input is loaded twice: as it is (the checksum path), and with its
 * last four bytes replaced by the right CRC (every check behind it: counts,
 * layer settings, compile settings, the model's own refusals).
 *
 * Build and run with scripts/fuzz.sh; seeds are in tests/fuzz/corpus/model_file/
 * (made by tests/fuzz/make_seeds.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nnlab.h"

#define REQUIRE(cond)                                                                       \
    do {                                                                                    \
        if (!(cond)) __builtin_trap();                                                      \
    } while (0)

#define NAME "fuzz.nnl"

static int untouched(const nn_model *m) {
    const uint8_t *p = (const uint8_t *)m;
    for (size_t i = 0; i < sizeof *m; i++)
        if (p[i] != 0xA5) return 0;
    return 1;
}

// Predict one input (all pixels 0.5), take one training step if the model is
// compiled, and print the summary: every layer's views and sizes and the
// optimizer state are used once, so a wrong one is caught by the sanitizers.
static void use_model(nn_model *m) {
    int out = nn_model_output_size(m);
    REQUIRE(out >= 1);
    float *x = malloc((size_t)m->input_size * sizeof(float));
    float *p = malloc((size_t)out * sizeof(float));
    float *w = malloc((m->n_params ? m->n_params : 1) * sizeof(float));
    if (x && p && w) {
        for (int i = 0; i < m->input_size; i++) x[i] = 0.5f;
        REQUIRE(nn_model_predict(m, x, 1, p) == NN_OK);
        if (m->compiled) {
            const uint8_t label = 0; // fits every model
            memcpy(w, m->params, m->n_params * sizeof(float));
            int64_t step = m->step;
            int rc = nn_model_train_batch(m, x, &label, 1, NULL, NULL);
            REQUIRE(rc == NN_OK || rc == NN_ERR_DIVERGED);
            // A diverged step leaves the weights untouched (nnlab.h).
            if (rc == NN_ERR_DIVERGED)
                REQUIRE(m->step == step &&
                        memcmp(w, m->params, m->n_params * sizeof(float)) == 0);
        }
    }
    free(x);
    free(p);
    free(w);
    char buf[256];
    int need = nn_model_summary(m, buf, sizeof buf);
    REQUIRE(need > 0 && strlen(buf) < sizeof buf);
}

static void try_load(const uint8_t *data, size_t size) {
    // Its own allocation of exactly `size` bytes, so reading one past the end
    // is caught even when libFuzzer's buffer happens to be larger.
    uint8_t *bytes = malloc(size ? size : 1);
    if (!bytes) return;
    memcpy(bytes, data, size);

    nn_model m;
    memset(&m, 0xA5, sizeof m);
    int rc = nn_model_load_buffer(&m, bytes, size, NAME);
    free(bytes);
    if (rc != NN_OK) {
        REQUIRE(rc == NN_ERR_FORMAT || rc == NN_ERR_NOMEM);
        REQUIRE(untouched(&m));                           // *m is only written on success
        REQUIRE(strstr(nn_last_error(), NAME) != NULL);   // the sentence names the file
        return;
    }
    use_model(&m);

    // Save, load, save again: the second file must load and equal the first.
    uint8_t *a = NULL, *b = NULL;
    size_t alen = 0, blen = 0;
    REQUIRE(nn_model_save_buffer(&m, &a, &alen) == NN_OK);
    nn_model r;
    REQUIRE(nn_model_load_buffer(&r, a, alen, "resaved.nnl") == NN_OK);
    REQUIRE(r.n_params == m.n_params && r.input_size == m.input_size && r.n_layers == m.n_layers);
    REQUIRE(m.n_params == 0 || memcmp(r.params, m.params, m.n_params * sizeof(float)) == 0);
    REQUIRE(nn_model_save_buffer(&r, &b, &blen) == NN_OK);
    REQUIRE(alen == blen && memcmp(a, b, alen) == 0);
    free(a);
    free(b);
    nn_model_free(&r);
    nn_model_free(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    try_load(data, size);
    if (size < 8 + 4) return 0;
    uint32_t crc = nn_crc32(data, size - 4);
    uint8_t *sealed = malloc(size);
    if (!sealed) return 0;
    memcpy(sealed, data, size - 4);
    for (int i = 0; i < 4; i++) sealed[size - 4 + i] = (uint8_t)(crc >> (8 * i));
    if (memcmp(sealed, data, size) != 0) try_load(sealed, size);
    free(sealed);
    return 0;
}
