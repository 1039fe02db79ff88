/*
 * make_seeds.c — writes the seed corpora of the fuzz harnesses.
 *
 *   make_seeds DIR    writes the seeds into DIR/idx/ and DIR/model_file/
 *
 * The committed seeds in tests/fuzz/corpus/ were made by this program;
 * scripts/fuzz.sh runs it again before fuzzing, so the seeds always match
 * the current file formats. Seeds are tiny on purpose: libFuzzer mutates
 * small inputs much faster, and each one reaches a different branch — a valid
 * file of each kind, a pair of files for nn_dataset_from_idx (fuzz_idx reads
 * its first two bytes as the split point), and typical faults.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn_fixtures.h"
#include "nnlab.h"

static const char *out_dir;
static int failures;

static void put(const char *sub, const char *name, const uint8_t *bytes, size_t len) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s/%s", out_dir, sub, name);
    if (nn_fix_write(path, bytes, len) != 0) {
        fprintf(stderr, "make_seeds: cannot write %s\n", path);
        failures++;
    }
}

// A pair input for fuzz_idx: u16 little-endian length of the first file, then both files.
static void put_pair(const char *name, const uint8_t *a, size_t alen, const uint8_t *b,
                     size_t blen) {
    uint8_t *p = malloc(2 + alen + blen);
    p[0] = (uint8_t)alen;
    p[1] = (uint8_t)(alen >> 8);
    memcpy(p + 2, a, alen);
    memcpy(p + 2 + alen, b, blen);
    put("idx", name, p, 2 + alen + blen);
    free(p);
}

// ---------------------------------------------------------------------------

static void idx_seeds(void) {
    const uint32_t idims[3] = {2, 3, 3}, ldims[1] = {2}, l3dims[1] = {3};
    const uint8_t pixels[18] = {0, 255, 128, 1, 2, 3, 64, 32, 16, 9, 8, 7, 6, 5, 4, 3, 2, 1};
    const uint8_t labels[3] = {1, 0, 9};
    size_t ilen, llen, l3len;
    uint8_t *img = nn_fix_idx(3, idims, pixels, 18, &ilen);
    uint8_t *lab = nn_fix_idx(1, ldims, labels, 2, &llen);
    uint8_t *lab3 = nn_fix_idx(1, l3dims, labels, 3, &l3len);

    put("idx", "images-2x3x3", img, ilen);
    put("idx", "labels-2", lab, llen);
    put_pair("pair-images-labels", img, ilen, lab, llen);
    put_pair("pair-count-mismatch", img, ilen, lab3, l3len);
    put_pair("pair-swapped", lab, llen, img, ilen);
    put("idx", "truncated-images", img, ilen - 1);

    const uint8_t gz[12] = {0x1f, 0x8b, 0x08, 0x08, 0x60, 0x4a, 0x8a, 0x50, 0x00, 0x03};
    put("idx", "gzipped", gz, sizeof gz);
    const uint32_t huge[3] = {65536, 65536, 1};
    size_t hlen;
    uint8_t *h = nn_fix_idx(3, huge, NULL, 0, &hlen);
    put("idx", "huge-dims", h, hlen);
    const uint8_t big_label[1] = {255};
    const uint32_t one[1] = {1};
    size_t blen;
    uint8_t *b = nn_fix_idx(1, one, big_label, 1, &blen);
    put("idx", "label-255", b, blen);
    free(img);
    free(lab);
    free(lab3);
    free(h);
    free(b);
}

// ---------------------------------------------------------------------------

static void save(const nn_model *m, const char *name) {
    uint8_t *buf;
    size_t len;
    if (nn_model_save_buffer(m, &buf, &len) != NN_OK) {
        fprintf(stderr, "make_seeds: %s: %s\n", name, nn_last_error());
        failures++;
        return;
    }
    put("model_file", name, buf, len);
    if (strcmp(name, "adam") == 0) {
        put("model_file", "adam-truncated", buf, len / 2);
        buf[len / 3] ^= 0x40;
        put("model_file", "adam-bad-checksum", buf, len);
    }
    free(buf);
}

// Compile with `kind` and `loss`, fit one epoch on a 2-class toy set, save.
static void trained_seed(nn_model *m, nn_optimizer_kind kind, nn_loss loss, const char *name) {
    nn_dataset d;
    nn_optimizer opt = nn_optimizer_defaults(kind);
    if (kind == NN_OPT_SGD) opt.momentum = 0.9f; // so SGD has a state array too
    nn_fit_options o = nn_fit_defaults();
    o.batch_size = 4;
    o.validation_split = 0.25f;
    int rc = nn_fix_dataset(&d, 8, m->input_size, 2, 3);
    d.rows = m->input_shape.h; // images of the model's size (1 x features when flat)
    d.cols = m->input_shape.w * (nn_shape_is_flat(m->input_shape) ? m->input_size : 1);
    if (rc != NN_OK || nn_model_compile(m, &opt, loss) != NN_OK || nn_fit(m, &d, &o) != NN_OK) {
        fprintf(stderr, "make_seeds: %s: %s\n", name, nn_last_error());
        failures++;
    } else {
        save(m, name);
    }
    nn_dataset_free(&d);
}

static void model_seeds(void) {
    // Every layer kind, in a model small enough that its file is a few hundred bytes.
    const nn_layer_spec specs[4] = {
        {NN_LAYER_DENSE, 3, NN_ACT_RELU, NN_INIT_HE_NORMAL, 0.0f},
        {NN_LAYER_DROPOUT, 0, NN_ACT_LINEAR, NN_INIT_GLOROT_UNIFORM, 0.5f},
        {NN_LAYER_DENSE, 2, NN_ACT_LINEAR, NN_INIT_GLOROT_UNIFORM, 0.0f},
        {NN_LAYER_ACTIVATION, 0, NN_ACT_SOFTMAX, NN_INIT_GLOROT_UNIFORM, 0.0f},
    };
    nn_model m;
    if (nn_model_create(&m, 4, specs, 4, 1) == NN_OK) {
        save(&m, "uncompiled");
        nn_model_free(&m);
    } else {
        failures++;
    }
    // Every optimizer (its state arrays and step), each with one of the losses.
    for (int k = 0; k < NN_OPT_COUNT; k++) {
        if (nn_model_create(&m, 4, specs, 4, 2 + (uint64_t)k) != NN_OK) {
            failures++;
            continue;
        }
        trained_seed(&m, (nn_optimizer_kind)k, (nn_loss)(k % NN_LOSS_COUNT),
                     nn_optimizer_name((nn_optimizer_kind)k));
        nn_model_free(&m);
    }
    // Every activation, as a chain of Activation layers between two Dense.
    nn_layer_spec chain[NN_ACT_COUNT + 2];
    int n = 0;
    chain[n++] = (nn_layer_spec){NN_LAYER_DENSE, 3, NN_ACT_LINEAR, NN_INIT_GLOROT_UNIFORM, 0.0f};
    for (int a = 0; a < NN_ACT_COUNT; a++)
        if (a != NN_ACT_SOFTMAX)
            chain[n++] = (nn_layer_spec){NN_LAYER_ACTIVATION, 0, (nn_activation)a,
                                         NN_INIT_GLOROT_UNIFORM, 0.0f};
    chain[n++] = (nn_layer_spec){NN_LAYER_DENSE, 2, NN_ACT_SOFTMAX, NN_INIT_GLOROT_UNIFORM, 0.0f};
    if (nn_model_create(&m, 3, chain, n, 9) == NN_OK) {
        trained_seed(&m, NN_OPT_SGD, NN_LOSS_CATEGORICAL_CROSSENTROPY, "every-activation");
        nn_model_free(&m);
    } else {
        failures++;
    }
    // Every convolutional kind (version 2 records, BatchNormalization's state)
    // on 6x6 images, small enough for a file of a few hundred bytes.
    nn_layer_spec cnn[NN_MAX_LAYERS];
    int nc = nn_parse_layers("conv2d:2:3:relu:same,batchnorm,avgpool:2:1,maxpool:2,conv2d:2:2:tanh:valid:2,"
                             "flatten,2:softmax", cnn, NN_MAX_LAYERS);
    if (nc > 0 && nn_model_create_shaped(&m, (nn_shape){6, 6, 1}, cnn, nc, 4) == NN_OK) {
        trained_seed(&m, NN_OPT_ADAM, NN_LOSS_CATEGORICAL_CROSSENTROPY, "cnn");
        nn_model_free(&m);
    } else {
        fprintf(stderr, "make_seeds: cnn: %s\n", nn_last_error());
        failures++;
    }
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: make_seeds DIR  (writes DIR/idx/ and DIR/model_file/)\n");
        return 2;
    }
    out_dir = argv[1];
    idx_seeds();
    model_seeds();
    return failures ? 1 : 0;
}
