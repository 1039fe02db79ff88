/*
 * model_file.c — saving and loading models (.nnl files).
 *
 * A file holds everything needed to continue training exactly where it
 * stopped: the architecture, the compile settings, the weights, the
 * optimizer's state arrays and step, the random generator and the history.
 * Every value is written little-endian one byte at a time, so a file saved by
 * the native CLI loads in the browser and back, whatever the host's byte order.
 *
 * Format, version 2 (offsets in bytes; u32/i32/u64/i64/f32 little-endian,
 * f32 as its IEEE-754 bit pattern):
 *
 *   Preamble
 *     0   magic         8 bytes NN_FILE_MAGIC, "NNLAB\x1a\r\n" (like PNG's, a
 *                       text-mode transfer that mangles \r\n or stops at ^Z is caught)
 *     8   u32 version   NN_FILE_VERSION (2)
 *     12  u32 header_length  bytes from offset 0 to the first parameter
 *                       (= 128 + 64 * n_layers), so a reader can find the weights
 *   Header
 *     16  i32 input_h, i32 input_w, i32 input_c   Input(shape): NHWC, (1, 1, n) when flat
 *     28  i32 n_layers
 *     32  n_layers times a 64-byte layer record, self-describing:
 *           u32 kind (nn_layer_kind), i32 units, u32 activation, u32 kernel_initializer,
 *           f32 rate, i32 filters, i32 kernel_h, i32 kernel_w, i32 stride_h, i32 stride_w,
 *           u32 padding, i32 out_h, i32 out_w, i32 out_c (the output shape),
 *           u32 n_params, u32 n_state (the layer's trainable and non-trainable floats;
 *           shapes and counts must be what the layer table infers)
 *         u64 seed
 *         u64 rng_state, u64 rng_inc   the generator as it stands, so shuffling
 *                                      and dropout continue as if never saved
 *         u32 compiled                 0 or 1
 *         optimizer: u32 kind, f32 learning_rate, f32 beta_1, f32 beta_2,
 *           f32 epsilon, f32 momentum, u32 nesterov, f32 rho,
 *           f32 initial_accumulator_value
 *         u32 loss
 *         i64 step
 *         f32 nadam_u_product
 *         u64 n_params                 must match the architecture
 *         u64 n_state                  must match the architecture
 *   Body
 *     header_length  f32 params[n_params]   layer by layer: kernel (Keras's order:
 *                                      Dense (in, out), Conv2D (kh, kw, in_c, filters)),
 *                                      then bias; BatchNormalization gamma, beta
 *         f32 state[n_state]           layer by layer: BatchNormalization moving mean,
 *                                      moving variance
 *         u32 n_slots                  optimizer state arrays (0 when not compiled)
 *         f32 slots[n_slots][n_params]
 *         i32 epochs                   history length
 *         f32 loss[epochs], accuracy[epochs], val_loss[epochs], val_accuracy[epochs]
 *   Trailer
 *         u32 crc32                    CRC-32 (zlib's) of every byte before it
 *
 * Version 1 (read, never written) is version 2 for Dense / Activation /
 * Dropout models with: i32 input_size at 16 (the shape is (1, 1, input_size)),
 * i32 n_layers at 20, 20-byte layer records at 24 (the first five fields
 * above), header_length = 112 + 20 * n_layers, no n_state and no state.
 *
 * Loading trusts nothing: magic, version, length, checksum and the
 * consistency of every count are checked before the model is built, and the
 * caller's model is written only when everything succeeded.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reasons.h"

#define MAGIC_LEN 8
#define PREAMBLE_LEN 16
#define LAYER_RECORD_LEN 64
#define HEADER_FIXED_LEN 128 // header_length with no layers
#define V1_LAYER_RECORD_LEN 20
#define V1_HEADER_FIXED_LEN 112
#define TRAILER_LEN 4

// ---------------------------------------------------------------------------
// CRC-32 (reflected polynomial 0xEDB88320, as zlib, PNG and gzip)

// Half-byte table: 16 constants instead of 256, no initialisation, and fast
// enough for files of a few megabytes.
static const uint32_t crc_nibble[16] = {
    0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4,
    0x4db26158, 0x5005713c, 0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c,
    0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c};

uint32_t nn_crc32(const uint8_t *data, size_t len) {
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < len; i++) {
        c ^= data[i];
        c = (c >> 4) ^ crc_nibble[c & 15];
        c = (c >> 4) ^ crc_nibble[c & 15];
    }
    return c ^ 0xffffffffu;
}

// ---------------------------------------------------------------------------
// Little-endian writer

typedef struct {
    uint8_t *p;
    size_t pos;
} writer;

static void put_u32(writer *w, uint32_t v) {
    for (int i = 0; i < 4; i++) w->p[w->pos++] = (uint8_t)(v >> (8 * i));
}

static void put_u64(writer *w, uint64_t v) {
    for (int i = 0; i < 8; i++) w->p[w->pos++] = (uint8_t)(v >> (8 * i));
}

static void put_i32(writer *w, int32_t v) { put_u32(w, (uint32_t)v); }

static void put_f32(writer *w, float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    put_u32(w, u);
}

static void put_floats(writer *w, const float *f, size_t n) {
    for (size_t i = 0; i < n; i++) put_f32(w, f[i]);
}

// ---------------------------------------------------------------------------
// Bounds-checked little-endian reader: reading past the end yields zeros and
// sets `short_read`, so the parse can run straight through and check once.

typedef struct {
    const uint8_t *p;
    size_t len, pos;
    int short_read;
    uint64_t needed; // bytes the file would need for the reads attempted so far
} reader;

static int take(reader *r, uint64_t n) {
    r->needed = (uint64_t)r->pos + n;
    if (n > r->len - r->pos) {
        r->short_read = 1;
        r->pos = r->len;
        return 0;
    }
    return 1;
}

static uint32_t get_u32(reader *r) {
    if (!take(r, 4)) return 0;
    const uint8_t *b = r->p + r->pos;
    r->pos += 4;
    return (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24);
}

static uint64_t get_u64(reader *r) {
    uint64_t lo = get_u32(r);
    return lo | ((uint64_t)get_u32(r) << 32);
}

static int32_t get_i32(reader *r) { return (int32_t)get_u32(r); }

static float get_f32(reader *r) {
    uint32_t u = get_u32(r);
    float f;
    memcpy(&f, &u, 4);
    return f;
}

// Skip n floats, or return the position where they start (for copying later).
static size_t skip_floats(reader *r, uint64_t n) {
    size_t at = r->pos;
    if (n > (uint64_t)(r->len - r->pos) / 4) {
        r->needed = (uint64_t)r->pos + 4 * n; // n < 2^62 here, checked by the caller
        r->short_read = 1;
        r->pos = r->len;
        return at;
    }
    r->pos += (size_t)(4 * n);
    return at;
}

static void copy_floats(const uint8_t *bytes, size_t at, float *dst, size_t n) {
    reader r = {bytes, at + 4 * n, at, 0, 0};
    for (size_t i = 0; i < n; i++) dst[i] = get_f32(&r);
}

// ---------------------------------------------------------------------------
// Saving

int nn_model_save_buffer(const nn_model *m, uint8_t **out, size_t *len) {
    if (!m || !out || !len) return nn_fail(NN_ERR_ARG, NN_R_API_NULL, NN_S("function", "nn_model_save_buffer"));
    if (m->n_layers < 0 || m->n_layers > NN_MAX_LAYERS || !m->params)
        return nn_fail(NN_ERR_STATE, NN_R_FILE_SAVE_UNCREATED);
    int n_slots = m->compiled ? nn_optimizer_slots(&m->optimizer) : 0;
    int epochs = m->history.epochs > 0 ? m->history.epochs : 0;
    size_t header_len = HEADER_FIXED_LEN + LAYER_RECORD_LEN * (size_t)m->n_layers;
    uint64_t total = (uint64_t)header_len + 4 * (uint64_t)m->n_params * (1 + (uint64_t)n_slots) +
                     4 * (uint64_t)m->n_state + 4 + 4 + 16 * (uint64_t)epochs + TRAILER_LEN;
    if (total > SIZE_MAX) return nn_fail(NN_ERR_NOMEM, NN_R_FILE_SAVE_TOO_LARGE);
    uint8_t *buf = malloc((size_t)total);
    if (!buf) return nn_fail(NN_ERR_NOMEM, NN_R_FILE_SAVE_NOMEM, NN_F("mb", "%.1f", (double)total / 1048576.0));

    writer w = {buf, 0};
    memcpy(buf, NN_FILE_MAGIC, MAGIC_LEN);
    w.pos = MAGIC_LEN;
    put_u32(&w, NN_FILE_VERSION);
    put_u32(&w, (uint32_t)header_len);

    put_i32(&w, m->input_shape.h);
    put_i32(&w, m->input_shape.w);
    put_i32(&w, m->input_shape.c);
    put_i32(&w, m->n_layers);
    for (int i = 0; i < m->n_layers; i++) {
        const nn_layer *l = &m->layers[i];
        const nn_layer_spec *s = &l->spec;
        put_u32(&w, (uint32_t)s->kind);
        put_i32(&w, s->units);
        put_u32(&w, (uint32_t)s->activation);
        put_u32(&w, (uint32_t)s->kernel_initializer);
        put_f32(&w, s->rate);
        put_i32(&w, s->filters);
        put_i32(&w, s->kernel_h);
        put_i32(&w, s->kernel_w);
        put_i32(&w, s->stride_h);
        put_i32(&w, s->stride_w);
        put_u32(&w, (uint32_t)s->padding);
        put_i32(&w, l->out_shape.h);
        put_i32(&w, l->out_shape.w);
        put_i32(&w, l->out_shape.c);
        put_u32(&w, (uint32_t)l->n_params);
        put_u32(&w, (uint32_t)l->n_state);
    }
    put_u64(&w, m->seed);
    put_u64(&w, m->rng.state);
    put_u64(&w, m->rng.inc);
    put_u32(&w, m->compiled ? 1 : 0);
    const nn_optimizer *o = &m->optimizer;
    put_u32(&w, (uint32_t)o->kind);
    put_f32(&w, o->learning_rate);
    put_f32(&w, o->beta_1);
    put_f32(&w, o->beta_2);
    put_f32(&w, o->epsilon);
    put_f32(&w, o->momentum);
    put_u32(&w, (uint32_t)o->nesterov);
    put_f32(&w, o->rho);
    put_f32(&w, o->initial_accumulator_value);
    put_u32(&w, (uint32_t)m->loss);
    put_u64(&w, (uint64_t)m->step);
    put_f32(&w, m->nadam_u_product);
    put_u64(&w, (uint64_t)m->n_params);
    put_u64(&w, (uint64_t)m->n_state);

    put_floats(&w, m->params, m->n_params);
    put_floats(&w, m->state, m->n_state);
    put_u32(&w, (uint32_t)n_slots);
    for (int s = 0; s < n_slots; s++) put_floats(&w, m->slots[s], m->n_params);
    put_i32(&w, epochs);
    if (epochs) {
        put_floats(&w, m->history.loss, (size_t)epochs);
        put_floats(&w, m->history.accuracy, (size_t)epochs);
        put_floats(&w, m->history.val_loss, (size_t)epochs);
        put_floats(&w, m->history.val_accuracy, (size_t)epochs);
    }
    put_u32(&w, nn_crc32(buf, w.pos));

    *out = buf;
    *len = w.pos;
    return NN_OK;
}

int nn_model_save(const nn_model *m, const char *path) {
    if (!path) return nn_fail(NN_ERR_ARG, NN_R_API_NULL_ARG, NN_S("function", "nn_model_save"), NN_S("arg", "path"));
    uint8_t *buf = NULL;
    size_t len = 0;
    int rc = nn_model_save_buffer(m, &buf, &len);
    if (rc != NN_OK) return rc;
    // Write beside the target and rename, so a failed save never destroys the
    // previous checkpoint.
    char tmp[1024];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
        free(buf);
        return nn_fail(NN_ERR_ARG, NN_R_FILE_PATH_LONG, NN_S("path", path));
    }
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        rc = nn_fail(NN_ERR_IO, NN_R_FILE_WRITE, NN_S("path", tmp), NN_S("why", strerror(errno)));
        free(buf);
        return rc;
    }
    size_t n = fwrite(buf, 1, len, f);
    int closed = fclose(f);
    free(buf);
    if (n != len || closed != 0) {
        remove(tmp);
        return nn_fail(NN_ERR_IO, NN_R_FILE_DISK_FULL, NN_S("path", path));
    }
    if (rename(tmp, path) != 0) {
        rc = nn_fail(NN_ERR_IO, NN_R_FILE_WRITE, NN_S("path", path), NN_S("why", strerror(errno)));
        remove(tmp);
        return rc;
    }
    return NN_OK;
}

// ---------------------------------------------------------------------------
// Loading

// Everything read from a file before the model is built.
typedef struct {
    uint32_t version;
    uint32_t header_len;
    nn_shape input;
    int n_layers;
    nn_layer_spec specs[NN_MAX_LAYERS];
    nn_shape out[NN_MAX_LAYERS];        // version 2: each layer's recorded output shape
    uint32_t layer_params[NN_MAX_LAYERS], layer_state[NN_MAX_LAYERS]; // and counts
    uint64_t seed, rng_state, rng_inc;
    uint32_t compiled;
    nn_optimizer opt;
    uint32_t loss;
    int64_t step;
    float nadam_u_product;
    uint64_t n_params, n_state;
    size_t params_at;   // offset of params
    size_t state_at;    // offset of state
    uint32_t n_slots;
    size_t slots_at;    // offset of the first slot array
    int32_t epochs;
    size_t history_at;  // offset of the history arrays
} file_fields;

static int crc_ok(const uint8_t *bytes, size_t len) {
    if (len < TRAILER_LEN) return 0;
    reader r = {bytes, len, len - TRAILER_LEN, 0, 0};
    return nn_crc32(bytes, len - TRAILER_LEN) == get_u32(&r);
}

// "the file is damaged", the sentence whenever the checksum fails.
static int damaged(const char *name) { return nn_fail(NN_ERR_FORMAT, NN_R_FILE_CHECKSUM, NN_S("name", name)); }

// The two refusals of parse_fields (they use its bytes, len, name and r).
// INCONSISTENT: a count contradicts the rest (`detail`, a NN_R_BAD_* reason
// with its params, says which). If the checksum fails, damage is the
// explanation a student needs; otherwise the writer was wrong: say what.
#define INCONSISTENT(detail, ...)                                                                  \
    (crc_ok(bytes, len) ? (nn_fail(NN_ERR_FORMAT, detail, __VA_ARGS__),                              \
                           nn_fail(NN_ERR_FORMAT, NN_R_FILE_INCONSISTENT, NN_S("name", name), NN_WHY("detail"))) \
                        : damaged(name))

#define TRUNCATED()                                                                                \
    nn_fail(NN_ERR_FORMAT, NN_R_FILE_TRUNCATED, NN_S("name", name), NN_U("len", len),                  \
            NN_U("need", r.needed > len ? r.needed : len + 1))

// Reads and checks the whole structure into *f without allocating anything.
static int parse_fields(const uint8_t *bytes, size_t len, const char *name, file_fields *f) {
    if (len == 0) return nn_fail(NN_ERR_FORMAT, NN_R_FILE_EMPTY, NN_S("name", name));
    size_t check = len < MAGIC_LEN ? len : MAGIC_LEN;
    if (memcmp(bytes, NN_FILE_MAGIC, check) != 0) return nn_fail(NN_ERR_FORMAT, NN_R_FILE_MAGIC, NN_S("name", name));
    reader r = {bytes, len, MAGIC_LEN, 0, MAGIC_LEN};
    if (len < MAGIC_LEN) {
        r.pos = len;
        return TRUNCATED();
    }
    uint32_t version = get_u32(&r);
    if (r.short_read) return TRUNCATED();
    if (version > NN_FILE_VERSION)
        return nn_fail(NN_ERR_FORMAT, NN_R_FILE_NEWER, NN_S("name", name), NN_U("version", version),
                       NN_I("reads", NN_FILE_VERSION));
    if (version == 0) return nn_fail(NN_ERR_FORMAT, NN_R_FILE_VERSION0, NN_S("name", name));

    f->version = version;
    f->header_len = get_u32(&r);
    if (version == 1) {
        f->input = nn_shape_flat(get_i32(&r));
    } else {
        f->input.h = get_i32(&r);
        f->input.w = get_i32(&r);
        f->input.c = get_i32(&r);
    }
    f->n_layers = get_i32(&r);
    if (r.short_read) return TRUNCATED();
    if (f->n_layers < 1 || f->n_layers > NN_MAX_LAYERS)
        return INCONSISTENT(NN_R_BAD_LAYER_COUNT, NN_I("n", f->n_layers), NN_I("max", NN_MAX_LAYERS));
    for (int i = 0; i < f->n_layers; i++) {
        nn_layer_spec *s = &f->specs[i];
        s->kind = (nn_layer_kind)get_u32(&r);
        s->units = get_i32(&r);
        s->activation = (nn_activation)get_u32(&r);
        s->kernel_initializer = (nn_initializer)get_u32(&r);
        s->rate = get_f32(&r);
        if (version == 1) continue;
        s->filters = get_i32(&r);
        s->kernel_h = get_i32(&r);
        s->kernel_w = get_i32(&r);
        s->stride_h = get_i32(&r);
        s->stride_w = get_i32(&r);
        s->padding = (nn_padding)get_u32(&r);
        f->out[i].h = get_i32(&r);
        f->out[i].w = get_i32(&r);
        f->out[i].c = get_i32(&r);
        f->layer_params[i] = get_u32(&r);
        f->layer_state[i] = get_u32(&r);
    }
    f->seed = get_u64(&r);
    f->rng_state = get_u64(&r);
    f->rng_inc = get_u64(&r);
    f->compiled = get_u32(&r);
    f->opt.kind = (nn_optimizer_kind)get_u32(&r);
    f->opt.learning_rate = get_f32(&r);
    f->opt.beta_1 = get_f32(&r);
    f->opt.beta_2 = get_f32(&r);
    f->opt.epsilon = get_f32(&r);
    f->opt.momentum = get_f32(&r);
    f->opt.nesterov = (int)get_u32(&r);
    f->opt.rho = get_f32(&r);
    f->opt.initial_accumulator_value = get_f32(&r);
    f->loss = get_u32(&r);
    f->step = (int64_t)get_u64(&r);
    f->nadam_u_product = get_f32(&r);
    f->n_params = get_u64(&r);
    if (version > 1) f->n_state = get_u64(&r);
    if (r.short_read) return TRUNCATED();

    // The counts that decide the layout must agree before they are used.
    if (f->header_len != r.pos)
        return INCONSISTENT(NN_R_BAD_HEADER_LENGTH, NN_U("declared", f->header_len), NN_U("read", r.pos));
    nn_shape in = f->input;
    if (in.h < 1 || in.w < 1 || in.c < 1 || (double)in.h * in.w * in.c > NN_MAX_UNITS * 16) {
        if (version == 1) return INCONSISTENT(NN_R_BAD_INPUT_SIZE, NN_I("size", in.c));
        return INCONSISTENT(NN_R_BAD_INPUT_SHAPE, NN_I("h", in.h), NN_I("w", in.w), NN_I("c", in.c));
    }
    // Version 1 knew Dense, Activation and Dropout only.
    unsigned kinds = version == 1 ? NN_LAYER_DROPOUT + 1 : NN_LAYER_KIND_COUNT;
    for (int i = 0; i < f->n_layers; i++) {
        const nn_layer_spec *s = &f->specs[i];
        if ((unsigned)s->kind >= kinds)
            return INCONSISTENT(NN_R_BAD_KIND, NN_I("layer", i + 1), NN_U("kind", (unsigned)s->kind));
        if (s->kind == NN_LAYER_DENSE && (s->units < 1 || s->units > NN_MAX_UNITS))
            return INCONSISTENT(NN_R_BAD_UNITS, NN_I("layer", i + 1), NN_I("units", s->units));
    }
    // The layer table says what the settings mean; a file it refuses cannot be built.
    nn_shape shapes[NN_MAX_LAYERS + 1];
    if (nn_model_infer_shapes(in, f->specs, f->n_layers, shapes) != NN_OK) {
        if (!crc_ok(bytes, len)) return damaged(name);
        return nn_fail(NN_ERR_FORMAT, NN_R_FILE_CANNOT_BUILD, NN_S("name", name), NN_WHY("why"));
    }
    uint64_t expect = 0, expect_state = 0, p[NN_MAX_LAYERS], st[NN_MAX_LAYERS];
    for (int i = 0; i < f->n_layers; i++) {
        const nn_layer_ops *ops = nn_layer_ops_of(f->specs[i].kind);
        expect += p[i] = ops->n_params(&f->specs[i], shapes[i], shapes[i + 1]);
        expect_state += st[i] = ops->n_state(&f->specs[i], shapes[i], shapes[i + 1]);
    }
    if (f->n_params != expect)
        return INCONSISTENT(NN_R_BAD_PARAMS, NN_U("stored", f->n_params), NN_U("expected", expect));
    if (f->n_state != expect_state)
        return INCONSISTENT(NN_R_BAD_STATE, NN_U("stored", f->n_state), NN_U("expected", expect_state));
    for (int i = 0; i < f->n_layers && version > 1; i++) {
        nn_shape o = f->out[i], want = shapes[i + 1];
        if (o.h != want.h || o.w != want.w || o.c != want.c || f->layer_params[i] != p[i] ||
            f->layer_state[i] != st[i])
            return INCONSISTENT(NN_R_BAD_LAYER_RECORD, NN_I("layer", i + 1), NN_I("h", o.h), NN_I("w", o.w),
                                NN_I("c", o.c), NN_U("params", f->layer_params[i]), NN_U("state", f->layer_state[i]),
                                NN_I("wantH", want.h), NN_I("wantW", want.w), NN_I("wantC", want.c),
                                NN_U("wantParams", p[i]), NN_U("wantState", st[i]));
    }
    if (f->compiled > 1) return INCONSISTENT(NN_R_BAD_COMPILED, NN_U("flag", f->compiled));
    if (f->compiled) {
        if ((unsigned)f->opt.kind >= NN_OPT_COUNT)
            return INCONSISTENT(NN_R_BAD_OPTIMIZER, NN_U("kind", (unsigned)f->opt.kind));
        if (f->loss >= NN_LOSS_COUNT) return INCONSISTENT(NN_R_LOSS_KIND, NN_U("loss", f->loss));
        if (f->step < 0) return INCONSISTENT(NN_R_BAD_STEP, NN_I("step", f->step));
    }
    if (!(f->rng_inc & 1)) return INCONSISTENT(NN_R_BAD_RNG);

    f->params_at = skip_floats(&r, f->n_params);
    f->state_at = skip_floats(&r, f->n_state);
    f->n_slots = get_u32(&r);
    if (r.short_read) return TRUNCATED();
    uint32_t want_slots = f->compiled ? (uint32_t)nn_optimizer_slots(&f->opt) : 0;
    if (f->n_slots != want_slots)
        return INCONSISTENT(NN_R_BAD_SLOTS, NN_U("stored", f->n_slots),
                            f->compiled ? NN_S("optimizer", nn_optimizer_name(f->opt.kind))
                                        : NN_TERM("optimizer", NN_R_TERM_UNCOMPILED),
                            NN_U("want", want_slots));
    f->slots_at = skip_floats(&r, f->n_params * f->n_slots);
    f->epochs = get_i32(&r);
    if (r.short_read) return TRUNCATED();
    if (f->epochs < 0) return INCONSISTENT(NN_R_BAD_EPOCHS, NN_I("epochs", f->epochs));
    f->history_at = skip_floats(&r, 4 * (uint64_t)f->epochs);
    if (r.short_read) return TRUNCATED();
    if (len - r.pos < TRAILER_LEN) {
        r.needed = (uint64_t)r.pos + TRAILER_LEN;
        return TRUNCATED();
    }
    if (len - r.pos > TRAILER_LEN) {
        size_t extra = len - r.pos - TRAILER_LEN;
        uint32_t stored = get_u32(&r); // where the checksum should be
        if (!crc_ok(bytes, len) && nn_crc32(bytes, r.pos - TRAILER_LEN) != stored) return damaged(name);
        return nn_fail(NN_ERR_FORMAT, NN_R_FILE_EXTRA, NN_S("name", name), NN_U("extra", extra),
                       NN_TERM("bytes", extra == 1 ? NN_R_TERM_BYTE : NN_R_TERM_BYTES));
    }
    if (!crc_ok(bytes, len)) return damaged(name);
    return NN_OK;
}

// Adds the file name to an error set by the model code (`reason` says what
// failed: NN_R_FILE_CANNOT_BUILD, NN_R_FILE_BAD_COMPILE). Settings the model
// code refuses are the file's fault, so they report as a format error.
static int wrap_error(int rc, const char *name, nn_reason reason) {
    return nn_fail(rc == NN_ERR_NOMEM ? rc : NN_ERR_FORMAT, reason, NN_S("name", name), NN_WHY("why"));
}

int nn_model_load_buffer(nn_model *m, const uint8_t *bytes, size_t len, const char *name) {
    if (!name) name = "model";
    if (!m || (!bytes && len)) return nn_fail(NN_ERR_ARG, NN_R_API_NULL, NN_S("function", "nn_model_load_buffer"));
    static const uint8_t none[1] = {0};
    if (!bytes) bytes = none;
    file_fields fields, *f = &fields;
    memset(f, 0, sizeof *f);
    int rc = parse_fields(bytes, len, name, f);
    if (rc != NN_OK) return rc;

    nn_model t;
    rc = nn_model_create_shaped(&t, f->input, f->specs, f->n_layers, f->seed);
    if (rc != NN_OK) return wrap_error(rc, name, NN_R_FILE_CANNOT_BUILD);
    if (t.n_params != f->n_params || t.n_state != f->n_state) { // both derive from the specs; a guard
        nn_model_free(&t);
        return nn_fail(NN_ERR_FORMAT, NN_R_FILE_PARAM_MISMATCH, NN_S("name", name));
    }
    copy_floats(bytes, f->params_at, t.params, t.n_params);
    copy_floats(bytes, f->state_at, t.state, t.n_state);
    if (f->compiled) {
        rc = nn_model_compile(&t, &f->opt, (nn_loss)f->loss);
        if (rc != NN_OK) {
            nn_model_free(&t);
            return wrap_error(rc, name, NN_R_FILE_BAD_COMPILE);
        }
        for (uint32_t s = 0; s < f->n_slots; s++)
            copy_floats(bytes, f->slots_at + 4 * (size_t)s * t.n_params, t.slots[s], t.n_params);
        t.step = f->step;
        t.nadam_u_product = f->nadam_u_product;
    }
    t.rng.state = f->rng_state;
    t.rng.inc = f->rng_inc;

    if (f->epochs > 0) {
        size_t e = (size_t)f->epochs;
        nn_history *h = &t.history;
        h->loss = malloc(e * sizeof(float));
        h->accuracy = malloc(e * sizeof(float));
        h->val_loss = malloc(e * sizeof(float));
        h->val_accuracy = malloc(e * sizeof(float));
        if (!h->loss || !h->accuracy || !h->val_loss || !h->val_accuracy) {
            nn_model_free(&t); // frees the history arrays too
            return nn_fail(NN_ERR_NOMEM, NN_R_FILE_HISTORY_NOMEM, NN_S("name", name));
        }
        copy_floats(bytes, f->history_at, h->loss, e);
        copy_floats(bytes, f->history_at + 4 * e, h->accuracy, e);
        copy_floats(bytes, f->history_at + 8 * e, h->val_loss, e);
        copy_floats(bytes, f->history_at + 12 * e, h->val_accuracy, e);
        h->epochs = h->capacity = f->epochs;
    }
    *m = t; // every view points into heap blocks, so the move keeps them valid
    return NN_OK;
}

int nn_model_load(nn_model *m, const char *path) {
    if (!path) return nn_fail(NN_ERR_ARG, NN_R_API_NULL_ARG, NN_S("function", "nn_model_load"), NN_S("arg", "path"));
    uint8_t *buf = NULL;
    size_t len = 0;
    int rc = nn_read_file(path, &buf, &len);
    if (rc != NN_OK) return rc;
    rc = nn_model_load_buffer(m, buf, len, path);
    free(buf);
    return rc;
}
