/*
 * test_wasm_api.c — the page's glue (src/wasm_api.c) natively and as wasm:
 * nn_wasm_layer_shapes gives the shapes the builder shows and the first layer
 * that does not flow with the core's sentence; the records name their fields
 * in struct order; counts in records stay exact above 2^24.
 *
 * wasm_api.c is a set of globals over one model, so it is included here
 * rather than linked (it is not part of nnlab_core).
 */
#include "nn_test.h"

#include "../../src/wasm_api.c"

static int said(const char *phrase) { return strstr(nn_last_error(), phrase) != NULL; }

// The row of layer i (0 is the input) as "h,w,c,params".
static const char *row(const shapes_record *r, int i) {
    static char buf[64];
    const shape_record *s = &r->rows[i];
    snprintf(buf, sizeof buf, "%.0f,%.0f,%.0f,%.0f", s->h, s->w, s->c, s->params);
    return buf;
}

static void test_shapes_flow(void) {
    // Keras's mnist_convnet: (26,26,32) 320, (13,13,32), (11,11,64) 18,496, (5,5,64), 1600, 1600, 10 16,010.
    const shapes_record *r = nn_wasm_layer_shapes(
        "conv2d:32:3:relu,maxpool:2,conv2d:64:3:relu,maxpool:2,flatten,dropout:0.5,10:softmax", 28, 28, 1);
    CHECK(r != NULL, "%s", nn_last_error());
    if (!r) return;
    CHECK(r->layers == 7 && r->failed == -1, "layers %g failed %g", r->layers, r->failed);
    const char *want[] = {"28,28,1,0", "26,26,32,320", "13,13,32,0", "11,11,64,18496", "5,5,64,0",
                          "1,1,1600,0", "1,1,1600,0", "1,1,10,16010"};
    double total = 0;
    for (int i = 0; i < 8; i++) {
        CHECK(strcmp(row(r, i), want[i]) == 0, "row %d is %s, want %s", i, row(r, i), want[i]);
        total += r->rows[i].params;
    }
    CHECK(total == 34826, "params %g", total);

    // A Dense-only model reads the image flat; BatchNormalization has state.
    r = nn_wasm_layer_shapes("100:relu,batchnorm,10:softmax", 28, 28, 1);
    CHECK(r && strcmp(row(r, 0), "1,1,784,0") == 0, "input %s", r ? row(r, 0) : "-");
    CHECK(r && r->rows[2].params == 200 && r->rows[2].state == 200, "batchnorm %g + %g", r->rows[2].params,
          r->rows[2].state);
}

static void test_shapes_refused(void) {
    // Dense on a 3-D input: refused at that layer, the earlier rows filled, the later ones zero.
    const shapes_record *r = nn_wasm_layer_shapes("conv2d:8:5:relu,maxpool:2,10:softmax,10:softmax", 28, 28, 1);
    CHECK(r && r->failed == 2 && r->status == NN_ERR_ARG, "failed %g", r ? r->failed : -9);
    CHECK(said("layer 3: Dense needs a flat input, but its input has shape (None, 12, 12, 8)"), "%s",
          nn_last_error());
    CHECK(r && strcmp(row(r, 2), "12,12,8,0") == 0 && r->rows[3].c == 0 && r->rows[4].c == 0, "rows %s",
          row(r, 3));

    // A pool larger than its input.
    r = nn_wasm_layer_shapes("maxpool:2,maxpool:2,maxpool:8,flatten,10:softmax", 28, 28, 1);
    CHECK(r && r->failed == 2, "failed %g", r ? r->failed : -9);
    CHECK(said("layer 3: MaxPooling2D with a 8×8 pool does not fit a 7×7 input"), "%s", nn_last_error());

    // A kernel larger than its input.
    r = nn_wasm_layer_shapes("conv2d:4:5:relu,maxpool:4,conv2d:4:7:relu,flatten,10:softmax", 28, 28, 1);
    CHECK(r && r->failed == 2, "failed %g", r ? r->failed : -9);
    CHECK(said("Conv2D with a 7×7 kernel does not fit a 6×6 input"), "%s", nn_last_error());

    // An output too large for one sample: NN_ERR_NOMEM, at its layer.
    r = nn_wasm_layer_shapes("conv2d:65536:1:relu:same,flatten,10:softmax", 512, 512, 1);
    CHECK(r && r->failed == 0 && r->status == NN_ERR_NOMEM, "failed %g status %g", r ? r->failed : -9,
          r ? r->status : 0);

    // Text that does not parse: NULL with the parser's sentence.
    CHECK(nn_wasm_layer_shapes("conv2d:0:3", 28, 28, 1) == NULL && said("filters"), "%s", nn_last_error());
}

// Each record's names are its fields, in order: count them against the struct.
static int fields(const char *which) {
    const char *names = nn_wasm_record_fields(which);
    int n = 0;
    for (const char *p = names; p && *p; p++) n += *p == ',';
    return n;
}

static void test_records(void) {
    CHECK(fields("fit") * sizeof(double) == sizeof(fit_record), "fit: %d names", fields("fit"));
    CHECK(fields("model") * sizeof(double) == sizeof(model_record), "model: %d names", fields("model"));
    CHECK(fields("dataset") * sizeof(double) == sizeof(dataset_record), "dataset");
    CHECK(fields("eval") * sizeof(double) == sizeof(eval_record), "eval");
    CHECK(fields("kernel") * sizeof(double) == sizeof(kernel_record), "kernel");
    CHECK(fields("layer") * sizeof(double) == sizeof(layer_record), "layer");
    CHECK(fields("shape") * sizeof(double) == sizeof(shape_record), "shape");
    CHECK(fields("shapes") * sizeof(double) == offsetof(shapes_record, rows), "shapes");
    CHECK(nn_wasm_record_fields("nothing") == NULL, "unknown record");
    CHECK(strncmp(nn_wasm_record_fields("model"), "inputSize,nLayers,params,", 25) == 0, "%s",
          nn_wasm_record_fields("model"));

    // A model with more than 2^24 parameters: its count comes back exact.
    // 4096 -> 4097 units: 4096 * 4097 + 4097 = 16,785,409 (2^24 + 8,193, odd: no float holds it).
    CHECK_OK(nn_wasm_model_build_shaped("4097:relu,10:softmax", 64, 64, 1, 1, "sgd", 0.0f,
                                        "categorical_crossentropy"));
    const model_record *m = nn_wasm_model_info();
    double want = 4096.0 * 4097 + 4097 + 4097.0 * 10 + 10;
    CHECK(m->params == want && (float)want != want, "params %.0f, want %.0f", m->params, want);
    CHECK(m->inputH == 1 && m->inputSize == 4096, "input %g", m->inputH);
    nn_wasm_free();
}

int main(void) {
    RUN(test_shapes_flow);
    RUN(test_shapes_refused);
    RUN(test_records);
    return nn_test_report();
}
