/*
 * test_reasons.c — every refusal carries its reason (src/reasons.h): the
 * table is sound (unique keys, well-formed templates), and a sample of real
 * errors — a damaged and a truncated model file, a model too large for
 * memory, an unknown activation, a diverging fit, bad IDX files — gives the
 * key, the params as JSON and, made from the same template, the English
 * sentence the CLI prints, word for word. The params are escaped JSON
 * whatever a file is called, and a reason whose params do not fit is dropped
 * (the page then shows the English) rather than cut into broken JSON.
 */
#include "nn_fixtures.h"
#include "nn_test.h"
#include "reasons.h"

// The last error is exactly this reason, these params and this sentence.
#define CHECK_REASON(key, params, sentence)                                                            \
    do {                                                                                               \
        CHECK(strcmp(nn_last_reason(), key) == 0, "reason %s, expected %s", nn_last_reason(), key);     \
        CHECK(strcmp(nn_last_reason_params(), params) == 0, "params\n  %s\nexpected\n  %s",             \
              nn_last_reason_params(), params);                                                        \
        CHECK(strcmp(nn_last_error(), sentence) == 0, "sentence\n  %s\nexpected\n  %s", nn_last_error(), \
              sentence);                                                                               \
    } while (0)

// ---------------------------------------------------------------------------
// The table

static void test_table(void) {
    CHECK(strcmp(nn_reason_key(NN_R_NONE), "") == 0, "NN_R_NONE has no key");
    CHECK(strcmp(nn_reason_key(NN_REASON_COUNT), "") == 0, "out of range has no key");
    for (int i = 1; i < NN_REASON_COUNT; i++) {
        const char *k = nn_reason_key((nn_reason)i), *t = nn_reason_template((nn_reason)i);
        // "area.name": a dot, letters and digits, the page's key is "reason." + this
        const char *dot = strchr(k, '.');
        int ok = dot && dot > k && dot[1] && !strchr(dot + 1, '.');
        for (const char *c = k; *c; c++) ok &= (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                                                (*c >= '0' && *c <= '9') || *c == '.';
        CHECK(ok, "key '%s' is not area.name", k);
        CHECK(t[0] != '\0', "%s has an empty sentence", k);
        for (int j = 1; j < i; j++) CHECK(strcmp(k, nn_reason_key((nn_reason)j)) != 0, "key %s twice", k);
        // Braces only around a param name.
        for (const char *c = t; *c; c++) {
            if (*c == '}') CHECK(0, "%s: a '}' outside a param", k);
            if (*c != '{') continue;
            const char *e = c + 1;
            while ((*e >= 'a' && *e <= 'z') || (*e >= 'A' && *e <= 'Z') || (*e >= '0' && *e <= '9')) e++;
            CHECK(e > c + 1 && *e == '}', "%s: a '{' that opens no {param}", k);
            c = *e ? e : e - 1;
        }
    }
}

// ---------------------------------------------------------------------------
// Errors made for real

static void test_model_files(void) {
    nn_model m;
    const uint8_t junk[] = "GIF89a is a picture, not a model";
    CHECK(nn_model_load_buffer(&m, junk, sizeof junk, "cat.gif") == NN_ERR_FORMAT, "junk refused");
    CHECK_REASON("file.magic", "{\"name\":\"cat.gif\"}",
                 "cat.gif: not an nnlab model file (it does not start with the nnlab signature)");

    // A saved model cut in half.
    nn_layer_spec specs[4];
    CHECK(nn_parse_layers("16:relu,10:softmax", specs, 4) == 2, "layers: %s", nn_last_error());
    nn_model a;
    CHECK_OK(nn_model_create(&a, 784, specs, 2, 1));
    uint8_t *buf;
    size_t len;
    CHECK_OK(nn_model_save_buffer(&a, &buf, &len));
    char want_params[200], want[400];
    CHECK(nn_model_load_buffer(&m, buf, 100, "half.nnl") == NN_ERR_FORMAT, "half refused");
    CHECK(strcmp(nn_last_reason(), "file.truncated") == 0, "reason %s", nn_last_reason());
    // (how much it needs depends on where the reading stopped; the sentence and the params agree)
    const char *need = strstr(nn_last_reason_params(), "\"need\":\"");
    CHECK(need != NULL, "need in %s", nn_last_reason_params());
    if (need) {
        unsigned long long n = strtoull(need + 8, NULL, 10);
        snprintf(want_params, sizeof want_params, "{\"name\":\"half.nnl\",\"len\":\"100\",\"need\":\"%llu\"}", n);
        snprintf(want, sizeof want, "half.nnl: the file is truncated: it has 100 bytes, but its contents need at "
                 "least %llu — it was not saved completely", n);
        CHECK_REASON("file.truncated", want_params, want);
    }

    // A count that contradicts the rest, with a valid checksum: the detail is a reason inside it.
    uint8_t *edit = malloc(len);
    memcpy(edit, buf, len);
    edit[28] = 40; // n_layers (offset 28): 40 > NN_MAX_LAYERS
    uint32_t crc = nn_crc32(edit, len - 4);
    for (int i = 0; i < 4; i++) edit[len - 4 + i] = (uint8_t)(crc >> (8 * i));
    CHECK(nn_model_load_buffer(&m, edit, len, "m.nnl") == NN_ERR_FORMAT, "40 layers refused");
    CHECK_REASON("file.inconsistent",
                 "{\"name\":\"m.nnl\",\"detail\":{\"reason\":\"bad.layerCount\",\"params\":{\"n\":\"40\",\"max\":\"32\"}}}",
                 "m.nnl: the file is inconsistent: it declares 40 layers (1 to 32 possible)");
    edit[len - 1] ^= 1; // and now the checksum fails: damage is the explanation
    CHECK(nn_model_load_buffer(&m, edit, len, "m.nnl") == NN_ERR_FORMAT, "damaged refused");
    CHECK_REASON("file.checksum", "{\"name\":\"m.nnl\"}", "m.nnl: checksum mismatch: the file is damaged");
    free(edit);
    free(buf);
    nn_model_free(&a);
}

static void test_too_large(void) {
    nn_layer_spec specs[4];
    CHECK(nn_parse_layers("60000:relu,60000:relu,10:softmax", specs, 4) == 3, "layers: %s", nn_last_error());
    nn_model m;
    CHECK(nn_model_create(&m, 784, specs, 3, 1) == NN_ERR_NOMEM, "too large refused");
    CHECK(strcmp(nn_last_reason(), "model.tooLarge") == 0, "reason %s", nn_last_reason());
    const char *mb = strstr(nn_last_reason_params(), "\"mb\":\"");
    char want_params[200], want[400];
    double v = mb ? strtod(mb + 6, NULL) : 0;
    CHECK(v > 1024, "mb %s", nn_last_reason_params());
    snprintf(want_params, sizeof want_params, "{\"mb\":\"%.1f\",\"limit\":\"1024\"}", v);
    snprintf(want, sizeof want, "this model would need %.1f MB of memory for its weights, gradients, optimizer "
             "state and one batch; the limit is 1024 MB. Use fewer units", v);
    CHECK_REASON("model.tooLarge", want_params, want);
}

static void test_unknown_activation(void) {
    nn_layer_spec specs[4];
    CHECK(nn_parse_layers("100:rel,10:softmax", specs, 4) == NN_ERR_ARG, "typo refused");
    CHECK_REASON("layer.at",
                 "{\"layer\":\"1\",\"why\":{\"reason\":\"name.activation\",\"params\":{\"name\":\"rel\",\"choices\":"
                 "\"linear, relu, sigmoid, tanh, softmax, elu, selu, gelu, swish, leaky_relu, softplus, softsign, "
                 "hard_sigmoid\"}}}",
                 "layer 1: unknown activation 'rel' (choose from linear, relu, sigmoid, tanh, softmax, elu, selu, "
                 "gelu, swish, leaky_relu, softplus, softsign, hard_sigmoid)");
}

static void test_diverged(void) {
    nn_dataset d;
    CHECK_OK(nn_fix_dataset(&d, 64, 16, 4, 3));
    nn_layer_spec specs[4];
    CHECK(nn_parse_layers("32:relu,4:softmax", specs, 4) == 2, "layers: %s", nn_last_error());
    nn_model m;
    CHECK_OK(nn_model_create(&m, 16, specs, 2, 5));
    nn_optimizer o = nn_optimizer_defaults(NN_OPT_SGD);
    o.learning_rate = 1e30f;
    CHECK_OK(nn_model_compile(&m, &o, NN_LOSS_SPARSE_CATEGORICAL_CROSSENTROPY));
    nn_fit_options f = nn_fit_defaults();
    f.batch_size = 8;
    CHECK(nn_fit(&m, &d, &f) == NN_ERR_DIVERGED, "diverged: %s", nn_last_error());
    // The step's own sentence inside the roll-back's: both reasons, one English sentence.
    const char *p = nn_last_reason_params();
    CHECK(strcmp(nn_last_reason(), "fit.rolledBack") == 0, "reason %s", nn_last_reason());
    CHECK(strncmp(p, "{\"why\":{\"reason\":\"model.diverged", 32) == 0, "params %s", p);
    CHECK(strstr(p, "\"lr\":\"1e+30\"") && strstr(p, "},\"epoch\":\"1\"}"), "params %s", p);
    const char *s = nn_last_error();
    CHECK((strncmp(s, "the loss became ", 16) == 0 || strncmp(s, "the gradient became NaN", 23) == 0) &&
              strstr(s, "training diverged. Lower the learning rate (now 1e+30") &&
              strstr(s, "and train again. The model was rolled back to its weights at the start of epoch 1."),
          "sentence %s", s);
    if (strstr(p, "divergedLoss")) // the word of the loss is a term, so the page translates it too
        CHECK(strstr(p, "\"value\":{\"reason\":\"term.") != NULL, "params %s", p);
    nn_model_free(&m);
    nn_dataset_free(&d);
}

static void test_idx(void) {
    nn_idx x;
    const uint8_t three[3] = {0, 0, 8};
    CHECK(nn_idx_parse(three, 3, "train-images", &x) == NN_ERR_FORMAT, "3 bytes refused");
    CHECK_REASON("idx.short", "{\"name\":\"train-images\",\"len\":\"3\"}",
                 "train-images: the file is only 3 bytes long, too short for an IDX header (at least 8 bytes)");

    uint32_t dims[3] = {2, 28, 28};
    size_t len;
    uint8_t *buf = nn_fix_idx(3, dims, NULL, 1000, &len);
    CHECK(nn_idx_parse(buf, len, "t10k-images", &x) == NN_ERR_FORMAT, "truncated refused");
    CHECK_REASON("idx.truncated",
                 "{\"name\":\"t10k-images\",\"want\":\"1584\",\"header\":\"16\",\"count\":\"1568\",\"len\":\"1016\"}",
                 "t10k-images: the file is truncated: its header describes 1584 bytes (a 16-byte header and 1568 "
                 "elements), found only 1016 — download it again");
    buf[0] = 0x50; // "PK": a zip, not IDX; the name says neither labels nor images: both magics, a term
    CHECK(nn_idx_parse(buf, len, "data.bin", &x) == NN_ERR_FORMAT, "zip refused");
    CHECK_REASON("idx.notIdx",
                 "{\"name\":\"data.bin\",\"want\":{\"reason\":\"term.eitherMagic\",\"params\":{}},\"got\":\"0x50000803\"}",
                 "data.bin: expected magic 0x00000801 (labels) or 0x00000803 (images), found 0x50000803 — this is "
                 "not an IDX file");
    free(buf);

    // One extra byte: the singular is a term as well.
    uint32_t n[1] = {4};
    buf = nn_fix_idx(1, n, NULL, 5, &len);
    CHECK(nn_idx_parse(buf, len, "labels", &x) == NN_ERR_FORMAT, "extra refused");
    CHECK_REASON("idx.extra",
                 "{\"name\":\"labels\",\"extra\":\"1\",\"bytes\":{\"reason\":\"term.byte\",\"params\":{}},"
                 "\"want\":\"12\",\"len\":\"13\"}",
                 "labels: the file has 1 unexpected byte after its data (expected 12 bytes in all, found 13)");
    free(buf);
}

// ---------------------------------------------------------------------------
// The JSON itself

static void test_escaping(void) {
    nn_idx x;
    const uint8_t three[3] = {0, 0, 8};
    CHECK(nn_idx_parse(three, 3, "a \"b\"\\c\n\x01é", &x) == NN_ERR_FORMAT, "refused");
    CHECK(strcmp(nn_last_reason_params(), "{\"name\":\"a \\\"b\\\"\\\\c\\u000a\\u0001é\",\"len\":\"3\"}") == 0,
          "escaped: %s", nn_last_reason_params());
    CHECK(strncmp(nn_last_error(), "a \"b\"\\c\n\x01é: the file is only 3 bytes", 32) == 0, "sentence: %s",
          nn_last_error());
}

static void test_too_long(void) {
    char name[3000];
    memset(name, 'x', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    nn_idx x;
    const uint8_t three[3] = {0, 0, 8};
    CHECK(nn_idx_parse(three, 3, name, &x) == NN_ERR_FORMAT, "refused");
    // The sentence is cut, as it always was; the params would not be valid JSON cut, so there are none.
    CHECK(strlen(nn_last_error()) == 511, "sentence cut to 511 bytes: %zu", strlen(nn_last_error()));
    CHECK(strcmp(nn_last_reason(), "") == 0 && strcmp(nn_last_reason_params(), "{}") == 0, "dropped: %s %s",
          nn_last_reason(), nn_last_reason_params());
    // The next error is whole again.
    CHECK(nn_idx_parse(three, 3, "ok", &x) == NN_ERR_FORMAT, "refused");
    CHECK_REASON("idx.short", "{\"name\":\"ok\",\"len\":\"3\"}",
                 "ok: the file is only 3 bytes long, too short for an IDX header (at least 8 bytes)");
}

static void test_sentence_without_reason(void) {
    CHECK(nn_set_error(NN_ERR_ARG, "the CLI's own %s", "sentence") == NN_ERR_ARG, "status");
    CHECK_REASON("", "{}", "the CLI's own sentence");
    // Wrapped by a reason, it is the text of its param.
    nn_fail(NN_ERR_ARG, NN_R_LAYER_AT, NN_I("layer", 2), NN_WHY("why"));
    CHECK_REASON("layer.at", "{\"layer\":\"2\",\"why\":\"the CLI's own sentence\"}", "layer 2: the CLI's own sentence");
    nn_clear_error();
    CHECK_REASON("", "{}", "");
}

int main(void) {
    RUN(test_table);
    RUN(test_model_files);
    RUN(test_too_large);
    RUN(test_unknown_activation);
    RUN(test_diverged);
    RUN(test_idx);
    RUN(test_escaping);
    RUN(test_too_long);
    RUN(test_sentence_without_reason);
    return nn_test_report();
}
