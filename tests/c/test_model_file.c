/*
 * test_model_file.c — saving and loading models.
 *
 * A saved model must come back bit for bit: the same predictions, and the
 * same training afterwards (weights, optimizer state, step, random generator)
 * for every optimizer. A damaged file — any byte flipped, any prefix, a
 * foreign or newer file — must be refused cleanly, leaving the caller's
 * model untouched.
 */
#include "nn_fixtures.h"
#include "nn_test.h"

// Version 2 layout (src/model_file.c): layer records at 32, 64 bytes each.
#define LAYERS_AT 32
#define RECORD 64
#define HEADER_LEN(n) (128 + RECORD * (n))

static int has(const char *phrase) { return strstr(nn_last_error(), phrase) != NULL; }

#define FEATURES 12
#define CLASSES 5

// Dense(16, relu) → Dropout(0.25) → Dense(8, tanh) → Dense(5) → Activation(softmax):
// every layer kind, and dropout so the random generator matters when resuming.
static const nn_layer_spec SPECS[] = {
    {NN_LAYER_DENSE, 16, NN_ACT_RELU, NN_INIT_HE_NORMAL, 0.0f},
    {NN_LAYER_DROPOUT, 0, NN_ACT_LINEAR, NN_INIT_GLOROT_UNIFORM, 0.25f},
    {NN_LAYER_DENSE, 8, NN_ACT_TANH, NN_INIT_GLOROT_UNIFORM, 0.0f},
    {NN_LAYER_DENSE, CLASSES, NN_ACT_LINEAR, NN_INIT_GLOROT_NORMAL, 0.0f},
    {NN_LAYER_ACTIVATION, 0, NN_ACT_SOFTMAX, NN_INIT_GLOROT_UNIFORM, 0.0f},
};
#define N_SPECS ((int)(sizeof SPECS / sizeof *SPECS))

static int make_model(nn_model *m, nn_optimizer_kind k, uint64_t seed) {
    int rc = nn_model_create(m, FEATURES, SPECS, N_SPECS, seed);
    if (rc) return rc;
    nn_optimizer o = nn_optimizer_defaults(k);
    if (k == NN_OPT_SGD) {
        o.momentum = 0.9f; // so SGD has a state array to restore
        o.nesterov = 1;
    }
    return nn_model_compile(m, &o, NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY);
}

// Train `k` batches of 8, starting at batch `first` of d.
static void train_batches(nn_model *m, const nn_dataset *d, int first, int k) {
    CHECK_OK(nn_fix_train_batches(m, d, first, k));
}

static int same_floats(const float *a, const float *b, size_t n) {
    return n == 0 || (a && b && memcmp(a, b, n * sizeof(float)) == 0);
}

// Everything the file carries, compared bit for bit.
static void check_same_model(const nn_model *a, const nn_model *b, const char *what) {
    CHECK(a->input_size == b->input_size && a->n_layers == b->n_layers, "%s: shape", what);
    for (int i = 0; i < a->n_layers && i < b->n_layers; i++)
        CHECK(memcmp(&a->layers[i].spec, &b->layers[i].spec, sizeof(nn_layer_spec)) == 0,
              "%s: layer %d spec", what, i);
    CHECK(a->seed == b->seed, "%s: seed", what);
    CHECK(a->rng.state == b->rng.state && a->rng.inc == b->rng.inc, "%s: rng", what);
    CHECK(a->n_params == b->n_params, "%s: n_params %zu vs %zu", what, a->n_params, b->n_params);
    CHECK(same_floats(a->params, b->params, a->n_params), "%s: params differ", what);
    CHECK(a->compiled == b->compiled, "%s: compiled", what);
    if (a->compiled && b->compiled) {
        CHECK(memcmp(&a->optimizer, &b->optimizer, sizeof a->optimizer) == 0, "%s: optimizer",
              what);
        CHECK(a->loss == b->loss, "%s: loss", what);
        CHECK(a->step == b->step, "%s: step %lld vs %lld", what, (long long)a->step,
              (long long)b->step);
        CHECK(memcmp(&a->nadam_u_product, &b->nadam_u_product, 4) == 0, "%s: nadam u", what);
        int slots = nn_optimizer_slots(&a->optimizer);
        for (int s = 0; s < slots; s++)
            CHECK(same_floats(a->slots[s], b->slots[s], a->n_params), "%s: slot %d", what, s);
    }
    CHECK(a->history.epochs == b->history.epochs, "%s: epochs %d vs %d", what,
          a->history.epochs, b->history.epochs);
    int e = a->history.epochs;
    if (e == b->history.epochs) {
        CHECK(same_floats(a->history.loss, b->history.loss, (size_t)e) &&
                  same_floats(a->history.accuracy, b->history.accuracy, (size_t)e) &&
                  same_floats(a->history.val_loss, b->history.val_loss, (size_t)e) &&
                  same_floats(a->history.val_accuracy, b->history.val_accuracy, (size_t)e),
              "%s: history", what);
    }
}

static void put_le32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

// Recompute the trailing checksum after a deliberate edit.
static void reseal(uint8_t *buf, size_t len) { put_le32(buf + len - 4, nn_crc32(buf, len - 4)); }

// A model struct filled with a pattern, to see that failed loads leave it alone.
static void poison(nn_model *m) { memset(m, 0xA5, sizeof *m); }
static int poisoned(const nn_model *m) {
    const uint8_t *p = (const uint8_t *)m;
    for (size_t i = 0; i < sizeof *m; i++)
        if (p[i] != 0xA5) return 0;
    return 1;
}

// ---------------------------------------------------------------------------

static void test_crc32(void) {
    CHECK(nn_crc32((const uint8_t *)"123456789", 9) == 0xCBF43926u, "check value: %08x",
          nn_crc32((const uint8_t *)"123456789", 9));
    CHECK(nn_crc32(NULL, 0) == 0, "empty input");
    CHECK(nn_crc32((const uint8_t *)"a", 1) == 0xE8B7BE43u, "\"a\": %08x",
          nn_crc32((const uint8_t *)"a", 1));
    uint8_t zeros[32] = {0};
    CHECK(nn_crc32(zeros, 32) == 0x190A55ADu, "32 zeros: %08x", nn_crc32(zeros, 32));
}

static void test_round_trip(void) {
    nn_dataset d;
    CHECK_OK(nn_fix_dataset(&d, 64, FEATURES, CLASSES, 7));
    nn_model a, b;
    CHECK_OK(make_model(&a, NN_OPT_ADAM, 42));
    train_batches(&a, &d, 0, 5);

    uint8_t *buf;
    size_t len;
    CHECK_OK(nn_model_save_buffer(&a, &buf, &len));
    CHECK(memcmp(buf, NN_FILE_MAGIC, 8) == 0, "starts with the magic");
    CHECK(len == HEADER_LEN(N_SPECS) + 4 * a.n_params * 3 + 4 + 4 + 4, "file length %zu", len);
    CHECK(buf[12] + 256 * buf[13] == HEADER_LEN(N_SPECS) && buf[14] == 0, "header length field %d",
          buf[12] + 256 * buf[13]);
    CHECK_OK(nn_model_load_buffer(&b, buf, len, "mem"));
    check_same_model(&a, &b, "round trip");

    // The same file again: save(load(file)) == file.
    uint8_t *buf2;
    size_t len2;
    CHECK_OK(nn_model_save_buffer(&b, &buf2, &len2));
    CHECK(len2 == len && memcmp(buf, buf2, len) == 0, "re-saved file is byte-identical");
    free(buf2);

    // Bit-identical predictions on a batch.
    float x[20 * FEATURES], pa[20 * CLASSES], pb[20 * CLASSES];
    nn_dataset_gather(&d, NULL, 20, x, NULL);
    CHECK_OK(nn_model_predict(&a, x, 20, pa));
    CHECK_OK(nn_model_predict(&b, x, 20, pb));
    CHECK(memcmp(pa, pb, sizeof pa) == 0, "predictions are bit-identical");
    float s = 0;
    for (int j = 0; j < CLASSES; j++) s += pa[j];
    CHECK_NEAR(s, 1.0, 1e-5, "softmax rows sum to 1 (%g): the prediction is real", s);

    free(buf);
    nn_model_free(&a);
    nn_model_free(&b);
    nn_dataset_free(&d);
}

// Train k batches, save, load, train k more on both: identical, for every optimizer.
static void test_resume_every_optimizer(void) {
    nn_dataset d;
    CHECK_OK(nn_fix_dataset(&d, 64, FEATURES, CLASSES, 11));
    for (int k = 0; k < NN_OPT_COUNT; k++) {
        const char *name = nn_optimizer_name((nn_optimizer_kind)k);
        nn_model a, b;
        CHECK_OK(make_model(&a, (nn_optimizer_kind)k, 100 + k));
        train_batches(&a, &d, 0, 4);
        uint8_t *buf;
        size_t len;
        CHECK_OK(nn_model_save_buffer(&a, &buf, &len));
        CHECK_OK(nn_model_load_buffer(&b, buf, len, name));
        free(buf);
        CHECK(b.step == 4, "%s: step restored (%lld)", name, (long long)b.step);
        float before = a.params[0];
        train_batches(&a, &d, 4, 4);
        train_batches(&b, &d, 4, 4);
        CHECK(a.params[0] != before, "%s: training moved the weights", name);
        check_same_model(&a, &b, name);
        nn_model_free(&a);
        nn_model_free(&b);
    }
    // The check above could not fail if the state were not needed: a model
    // with fresh optimizer state (re-created, same weights) trains differently.
    nn_model a, c;
    CHECK_OK(make_model(&a, NN_OPT_ADAM, 5));
    train_batches(&a, &d, 0, 4);
    CHECK_OK(make_model(&c, NN_OPT_ADAM, 5));
    memcpy(c.params, a.params, a.n_params * sizeof(float));
    c.rng = a.rng;
    train_batches(&a, &d, 4, 2);
    train_batches(&c, &d, 4, 2);
    CHECK(memcmp(a.params, c.params, a.n_params * sizeof(float)) != 0,
          "without the optimizer state, training diverges from the original");
    nn_model_free(&a);
    nn_model_free(&c);
    nn_dataset_free(&d);
}

// fit() after a load continues exactly: shuffling and dropout use the restored
// generator, and the history carries over.
static void test_resume_fit(void) {
    nn_dataset d;
    CHECK_OK(nn_fix_dataset(&d, 96, FEATURES, CLASSES, 3));
    nn_model a, b;
    CHECK_OK(make_model(&a, NN_OPT_NADAM, 9));
    nn_fit_options o = nn_fit_defaults();
    o.epochs = 2;
    o.batch_size = 16;
    o.validation_split = 0.25f;
    CHECK_OK(nn_fit(&a, &d, &o));
    CHECK(a.history.epochs == 2, "history has 2 epochs (%d)", a.history.epochs);

    CHECK_OK(nn_model_save(&a, "./test_model_file_tmp.nnl"));
    CHECK_OK(nn_model_load(&b, "./test_model_file_tmp.nnl"));
    remove("./test_model_file_tmp.nnl");
    check_same_model(&a, &b, "after fit");
    CHECK(b.history.val_loss && b.history.val_loss[1] == a.history.val_loss[1],
          "validation history restored");

    o.epochs = 1;
    CHECK_OK(nn_fit(&a, &d, &o));
    CHECK_OK(nn_fit(&b, &d, &o));
    check_same_model(&a, &b, "fit after load");
    CHECK(b.history.epochs == 3, "history grows after load (%d)", b.history.epochs);
    nn_model_free(&a);
    nn_model_free(&b);
    nn_dataset_free(&d);
}

static void test_uncompiled(void) {
    nn_model a, b;
    CHECK_OK(nn_model_create(&a, FEATURES, SPECS, N_SPECS, 1));
    uint8_t *buf;
    size_t len;
    CHECK_OK(nn_model_save_buffer(&a, &buf, &len));
    CHECK_OK(nn_model_load_buffer(&b, buf, len, "uncompiled"));
    CHECK(!b.compiled && b.slots[0] == NULL, "stays uncompiled");
    check_same_model(&a, &b, "uncompiled");
    free(buf);
    nn_model_free(&a);
    nn_model_free(&b);
}

// ---------------------------------------------------------------------------
// Damaged files

static void small_file(uint8_t **buf, size_t *len) {
    nn_dataset d;
    CHECK_OK(nn_fix_dataset(&d, 32, FEATURES, CLASSES, 1));
    nn_model a;
    CHECK_OK(make_model(&a, NN_OPT_ADAM, 2));
    train_batches(&a, &d, 0, 2);
    nn_fit_options o = nn_fit_defaults();
    o.batch_size = 16;
    CHECK_OK(nn_fit(&a, &d, &o)); // one epoch of history in the file too
    CHECK_OK(nn_model_save_buffer(&a, buf, len));
    nn_model_free(&a);
    nn_dataset_free(&d);
}

static void expect_refused(const uint8_t *buf, size_t len, const char *phrase, const char *what) {
    nn_model m;
    poison(&m);
    int rc = nn_model_load_buffer(&m, buf, len, "damaged.nnl");
    CHECK(rc == NN_ERR_FORMAT, "%s: status %d (%s)", what, rc, nn_last_error());
    CHECK(poisoned(&m), "%s: the model was written on failure", what);
    CHECK(has("damaged.nnl") && has(phrase), "%s: message lacks \"%s\": %s", what, phrase,
          nn_last_error());
    if (rc == NN_OK) nn_model_free(&m);
}

static void test_checksum(void) {
    uint8_t *buf;
    size_t len;
    small_file(&buf, &len);
    size_t header = HEADER_LEN(N_SPECS);
    // A flipped byte in the weights, the seed, the history and the checksum itself.
    const size_t spots[] = {header + 5, LAYERS_AT + RECORD * N_SPECS + 1, len - 9, len - 1};
    for (size_t i = 0; i < sizeof spots / sizeof *spots; i++) {
        buf[spots[i]] ^= 0x10;
        expect_refused(buf, len, "checksum mismatch: the file is damaged", "flipped byte");
        buf[spots[i]] ^= 0x10;
    }
    // Every single-byte change anywhere must be refused (CRC-32 catches them
    // all); the message depends on where it lands.
    int refused = 0, crc_msgs = 0;
    for (size_t i = 0; i < len; i++) {
        nn_model m;
        buf[i] ^= 0xFF;
        int rc = nn_model_load_buffer(&m, buf, len, "x");
        buf[i] ^= 0xFF;
        if (rc == NN_ERR_FORMAT) refused++;
        else if (rc == NN_OK) nn_model_free(&m);
        if (has("checksum mismatch")) crc_msgs++;
    }
    CHECK(refused == (int)len, "%d of %zu flipped bytes refused", refused, len);
    CHECK(crc_msgs > (int)len * 9 / 10, "most damage reads as a checksum mismatch (%d of %zu)",
          crc_msgs, len);
    // The untouched buffer still loads: the loop restored every byte.
    nn_model m;
    CHECK_OK(nn_model_load_buffer(&m, buf, len, "x"));
    nn_model_free(&m);
    free(buf);
}

static void test_bad_magic_and_version(void) {
    uint8_t *buf;
    size_t len;
    small_file(&buf, &len);
    buf[0] = 'M';
    expect_refused(buf, len, "not an nnlab model file", "bad magic");
    buf[0] = 'N';
    // An IDX file given as a model.
    const uint32_t dims[1] = {4};
    size_t ilen;
    uint8_t *idx = nn_fix_idx(1, dims, NULL, 4, &ilen);
    expect_refused(idx, ilen, "not an nnlab model file", "IDX file");
    free(idx);

    put_le32(buf + 8, 7);
    reseal(buf, len);
    expect_refused(buf, len, "made by a newer nnlab (version 7); this one reads version 2",
                   "newer");
    put_le32(buf + 8, 0);
    reseal(buf, len);
    expect_refused(buf, len, "version 0", "version 0");
    free(buf);
}

static void test_truncation(void) {
    uint8_t *buf;
    size_t len;
    small_file(&buf, &len);
    // Every prefix must fail cleanly, with the right sentence; each is copied
    // to its own allocation so a sanitizer sees any read past the end.
    int bad = 0;
    for (size_t n = 0; n < len; n++) {
        uint8_t *p = malloc(n ? n : 1);
        memcpy(p, buf, n);
        nn_model m;
        poison(&m);
        int rc = nn_model_load_buffer(&m, p, n, "cut.nnl");
        int ok = rc == NN_ERR_FORMAT && poisoned(&m) &&
                 (n == 0 ? has("cut.nnl: the file is empty") : has("cut.nnl: the file is truncated"));
        if (!ok && bad++ < 5)
            CHECK(ok, "prefix of %zu bytes: status %d: %s", n, rc, nn_last_error());
        if (rc == NN_OK) nn_model_free(&m);
        free(p);
    }
    CHECK(bad == 0, "%d of %zu prefixes were not refused as truncated", bad, len);
    expect_refused(buf, len / 2, "but its contents need at least", "half a file");

    // Trailing bytes after a complete model.
    uint8_t *longer = malloc(len + 3);
    memcpy(longer, buf, len);
    memset(longer + len, 0, 3);
    expect_refused(longer, len + 3, "3 unexpected bytes", "trailing bytes");
    free(longer);
    free(buf);
}

// Files whose checksum is right but whose contents contradict each other (a
// buggy writer): the message says what is wrong.
static void test_inconsistent(void) {
    uint8_t *buf;
    size_t len;
    small_file(&buf, &len);
    uint8_t *edit = malloc(len);
    size_t n_params_at = HEADER_LEN(N_SPECS) - 16;

    memcpy(edit, buf, len);
    put_le32(edit + n_params_at, 1234);
    reseal(edit, len);
    expect_refused(edit, len, "stores 1234 parameters, but its layers have", "n_params");

    memcpy(edit, buf, len);
    put_le32(edit + LAYERS_AT + 4, 17); // first Dense: 16 → 17 units
    reseal(edit, len);
    expect_refused(edit, len, "parameters, but its layers have", "units");

    memcpy(edit, buf, len);
    put_le32(edit + 28, 99); // n_layers
    reseal(edit, len);
    expect_refused(edit, len, "99 layers", "n_layers");
    // The same edit without resealing is plain damage.
    put_le32(edit + len - 4, 0);
    expect_refused(edit, len, "checksum mismatch", "n_layers unsealed");

    memcpy(edit, buf, len);
    put_le32(edit + LAYERS_AT + RECORD + 16, 0x3f800000u); // dropout rate 1.0
    reseal(edit, len);
    expect_refused(edit, len, "cannot be built", "dropout rate");

    memcpy(edit, buf, len);
    size_t lr_at = LAYERS_AT + RECORD * N_SPECS + 8 + 16 + 4 + 4;
    put_le32(edit + lr_at, 0xbf800000u); // learning rate -1
    reseal(edit, len);
    expect_refused(edit, len, "compile settings in the file are invalid", "learning rate");

    free(edit);
    free(buf);
}

static void test_files(void) {
    nn_model m;
    poison(&m);
    CHECK(nn_model_load(&m, "./no-such-dir/model.nnl") == NN_ERR_IO, "missing file");
    CHECK(has("./no-such-dir/model.nnl"), "names the path: %s", nn_last_error());
    CHECK(poisoned(&m), "untouched");
    nn_model a;
    CHECK_OK(make_model(&a, NN_OPT_RMSPROP, 3));
    CHECK(nn_model_save(&a, "./no-such-dir/model.nnl") == NN_ERR_IO, "unwritable path");
    CHECK(has("no-such-dir/model.nnl"), "names the path: %s", nn_last_error());
    // A damaged file on disk is named by its path.
    uint8_t junk[64] = "NNLAB\x1a\r\n";
    CHECK(nn_fix_write("./test_model_file_junk.nnl", junk, sizeof junk) == 0, "write");
    CHECK(nn_model_load(&m, "./test_model_file_junk.nnl") == NN_ERR_FORMAT, "junk refused");
    CHECK(has("./test_model_file_junk.nnl:"), "names the path: %s", nn_last_error());
    remove("./test_model_file_junk.nnl");
    nn_model_free(&a);
}

// ---------------------------------------------------------------------------
// The committed version-1 file: a change to the format that the round trips
// above cannot see (writer and reader changed together) breaks this test.
// Made once by `test_model_file --write-fixture` (native build).

#ifndef NN_TEST_DATA_DIR
#define NN_TEST_DATA_DIR "tests/data"
#endif
#define FIXTURE NN_TEST_DATA_DIR "/tiny_model_v1.bin"

static const nn_layer_spec TINY[] = {
    {NN_LAYER_DENSE, 3, NN_ACT_RELU, NN_INIT_GLOROT_UNIFORM, 0.0f},
    {NN_LAYER_DROPOUT, 0, NN_ACT_LINEAR, NN_INIT_GLOROT_UNIFORM, 0.5f},
    {NN_LAYER_DENSE, 2, NN_ACT_SOFTMAX, NN_INIT_HE_UNIFORM, 0.0f},
};

static int write_fixture(void) {
    nn_dataset d;
    nn_fix_dataset(&d, 24, 4, 2, 77);
    nn_model m;
    nn_optimizer o = nn_optimizer_defaults(NN_OPT_ADAM);
    if (nn_model_create(&m, 4, TINY, 3, 2024) || nn_model_compile(&m, &o, NN_LOSS_CATEGORICAL_CROSSENTROPY))
        return 1;
    nn_fit_options f = nn_fit_defaults();
    f.batch_size = 8; // 3 steps, one epoch of history
    if (nn_fit(&m, &d, &f) || nn_model_save(&m, FIXTURE)) return 1;
    printf("wrote %s\n", FIXTURE);
    nn_model_free(&m);
    nn_dataset_free(&d);
    return 0;
}

static void test_committed_v1_file(void) {
    FILE *f = fopen(FIXTURE, "rb");
    CHECK(f != NULL, "cannot open %s", FIXTURE);
    if (!f) return;
    uint8_t buf[4096];
    size_t len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    nn_model m;
    CHECK_OK(nn_model_load(&m, FIXTURE));
    if (m.params == NULL) return;
    CHECK(m.input_size == 4 && m.n_layers == 3 && m.n_params == 4 * 3 + 3 + 3 * 2 + 2,
          "shape: in %d, %d layers, %zu params", m.input_size, m.n_layers, m.n_params);
    for (int i = 0; i < 3; i++)
        CHECK(memcmp(&m.layers[i].spec, &TINY[i], sizeof *TINY) == 0, "layer %d spec", i);
    CHECK(m.seed == 2024 && m.compiled && m.optimizer.kind == NN_OPT_ADAM &&
              m.loss == NN_LOSS_CATEGORICAL_CROSSENTROPY && m.step == 3,
          "settings: seed %llu, step %lld", (unsigned long long)m.seed, (long long)m.step);
    CHECK(m.optimizer.learning_rate == 0.001f && m.optimizer.beta_2 == 0.999f &&
              m.optimizer.epsilon == 1e-7f,
          "adam settings");
    CHECK(m.history.epochs == 1 && m.history.loss[0] > 0.0f && m.history.loss[0] < 5.0f &&
              m.history.accuracy[0] >= 0.0f && m.history.accuracy[0] <= 1.0f &&
              isnan(m.history.val_loss[0]),
          "history: %d epochs, loss %g", m.history.epochs, m.history.epochs ? m.history.loss[0] : 0.0f);
    // Adam's second moments are squares of gradients: never negative, some positive.
    int positive = 0, negative = 0;
    for (size_t i = 0; i < m.n_params; i++) {
        positive += m.slots[1][i] > 0.0f;
        negative += m.slots[1][i] < 0.0f;
    }
    CHECK(positive > 0 && negative == 0, "second moments read from the right place");
    // Saved again it is a version-2 file of the same model, 44 bytes longer per
    // layer plus 16 in the header (the shape and the state count).
    uint8_t *again;
    size_t again_len;
    CHECK_OK(nn_model_save_buffer(&m, &again, &again_len));
    CHECK(again_len == len + 16 + 44 * 3 && again[8] == 2, "re-saved as version 2: %zu bytes", again_len);
    nn_model back;
    CHECK_OK(nn_model_load_buffer(&back, again, again_len, "re-saved"));
    check_same_model(&m, &back, "v1 -> v2");
    CHECK(back.input_shape.h == 1 && back.input_shape.w == 1 && back.input_shape.c == 4, "flat input");
    free(again);
    nn_model_free(&back);
    nn_model_free(&m);
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "--write-fixture") == 0) return write_fixture();
    RUN(test_crc32);
    RUN(test_round_trip);
    RUN(test_resume_every_optimizer);
    RUN(test_resume_fit);
    RUN(test_uncompiled);
    RUN(test_checksum);
    RUN(test_bad_magic_and_version);
    RUN(test_truncation);
    RUN(test_inconsistent);
    RUN(test_files);
    RUN(test_committed_v1_file);
    return nn_test_report();
}
