/*
 * layer_spec.c — the layer list syntax shared by the CLI and the page
 * ("100:relu,dropout:0.2,10:softmax"), and the Keras names of initializers.
 *
 * Parsing lives in the library so that both front ends refuse the same
 * impossible layers with the same sentences.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reasons.h"

static const char *const initializer_names[NN_INIT_COUNT] = {
    "glorot_uniform", "glorot_normal", "he_normal", "he_uniform", "zeros"};

const char *nn_initializer_name(nn_initializer i) {
    return (unsigned)i < NN_INIT_COUNT ? initializer_names[i] : "?";
}

int nn_initializer_from_name(const char *name) {
    for (int i = 0; i < NN_INIT_COUNT; i++)
        if (strcmp(name, initializer_names[i]) == 0) return i;
    return nn_unknown_name(NN_R_NAME_INITIALIZER, name, initializer_names, NN_INIT_COUNT);
}

// ---------------------------------------------------------------------------
// Parsing

// Copies the next field of `s` (up to `sep` or the end) into buf, trimmed.
static const char *next_field(const char *s, char sep, char *buf, size_t size) {
    while (*s == ' ' || *s == '\t') s++;
    size_t n = 0;
    while (*s && *s != sep) {
        if (n + 1 < size) buf[n++] = *s;
        s++;
    }
    while (n > 0 && isspace((unsigned char)buf[n - 1])) n--;
    buf[n] = '\0';
    return *s == sep ? s + 1 : s;
}

// Prefixes the look-up's sentence ("unknown activation 'x' (choose from ...)")
// with the layer it is in.
static int layer_error(int index) { return nn_fail(NN_ERR_ARG, NN_R_LAYER_AT, NN_I("layer", index), NN_WHY("why")); }

static int parse_activation(const char *name, int index, nn_activation *out) {
    int a = nn_activation_from_name(name);
    if (a < 0) return layer_error(index);
    *out = (nn_activation)a;
    return NN_OK;
}

// "3" or "5x5" (or "5X5"): a window or a pair of strides, each from 1 to 4096.
static int parse_pair(const char *text, int *h, int *w) {
    char *end;
    long a = strtol(text, &end, 10), b = a;
    if (end == text || (*end && *end != 'x' && *end != 'X')) return 0;
    if (*end) {
        const char *second = end + 1;
        b = strtol(second, &end, 10);
        if (end == second || *end) return 0;
    }
    if (a < 1 || b < 1 || a > 4096 || b > 4096) return 0;
    *h = (int)a;
    *w = (int)b;
    return 1;
}

static int parse_padding(const char *text, int index, nn_padding *out) {
    int p = nn_padding_from_name(text);
    if (p < 0) return layer_error(index);
    *out = (nn_padding)p;
    return NN_OK;
}

enum { MAX_FIELDS = 6 };

// conv2d:FILTERS:KERNEL[:ACTIVATION[:PADDING[:STRIDES]]]
static int parse_conv2d(char f[][64], int index, const char *text, nn_layer_spec *spec) {
    char *end;
    long filters = strtol(f[1], &end, 10);
    if (!f[1][0] || *end || !f[2][0])
        return nn_fail(NN_ERR_ARG, NN_R_PARSE_CONV2D, NN_I("layer", index), NN_S("text", text));
    if (filters < 1 || filters > NN_MAX_UNITS)
        return nn_fail(NN_ERR_ARG, NN_R_PARSE_FILTERS, NN_I("layer", index), NN_I("filters", filters),
                       NN_I("max", NN_MAX_UNITS));
    spec->kind = NN_LAYER_CONV2D;
    spec->filters = (int)filters;
    if (!parse_pair(f[2], &spec->kernel_h, &spec->kernel_w))
        return nn_fail(NN_ERR_ARG, NN_R_PARSE_KERNEL, NN_I("layer", index), NN_S("text", f[2]));
    spec->stride_h = spec->stride_w = 1; // Keras: strides=1, padding="valid", activation=None
    if (f[3][0] && parse_activation(f[3], index, &spec->activation)) return NN_ERR_ARG;
    if (f[4][0] && parse_padding(f[4], index, &spec->padding)) return NN_ERR_ARG;
    if (f[5][0] && !parse_pair(f[5], &spec->stride_h, &spec->stride_w))
        return nn_fail(NN_ERR_ARG, NN_R_PARSE_STRIDES, NN_I("layer", index), NN_S("text", f[5]));
    return NN_OK;
}

// maxpool[:POOL[:STRIDES[:PADDING]]], avgpool the same (Keras: pool_size=2,
// strides=pool_size, padding="valid").
static int parse_pool(char f[][64], int index, nn_layer_kind kind, nn_layer_spec *spec) {
    spec->kind = kind;
    spec->kernel_h = spec->kernel_w = 2;
    if (f[1][0] && !parse_pair(f[1], &spec->kernel_h, &spec->kernel_w))
        return nn_fail(NN_ERR_ARG, NN_R_PARSE_POOL, NN_I("layer", index), NN_S("text", f[1]));
    spec->stride_h = spec->kernel_h;
    spec->stride_w = spec->kernel_w;
    if (f[2][0] && !parse_pair(f[2], &spec->stride_h, &spec->stride_w))
        return nn_fail(NN_ERR_ARG, NN_R_PARSE_STRIDES, NN_I("layer", index), NN_S("text", f[2]));
    if (f[3][0] && parse_padding(f[3], index, &spec->padding)) return NN_ERR_ARG;
    return f[4][0] ? nn_fail(NN_ERR_ARG, NN_R_PARSE_POOL_PARTS, NN_I("layer", index)) : NN_OK;
}

// A kind that takes no options: "flatten", "batchnorm".
static int parse_plain(char f[][64], int index, nn_layer_kind kind, nn_layer_spec *spec) {
    spec->kind = kind;
    return f[1][0] ? nn_fail(NN_ERR_ARG, NN_R_PARSE_NO_OPTIONS, NN_I("layer", index), NN_S("kind", f[0]), NN_S("text", f[1]))
                   : NN_OK;
}

static int parse_one(const char *text, int index, nn_layer_spec *spec) {
    char f[MAX_FIELDS][64] = {{0}};
    int nf = 0;
    const char *s = text;
    while (*s && nf < MAX_FIELDS) s = next_field(s, ':', f[nf++], sizeof f[0]);
    if (*s) return nn_fail(NN_ERR_ARG, NN_R_PARSE_PARTS, NN_I("layer", index), NN_S("text", text));

    memset(spec, 0, sizeof *spec);
    spec->kernel_initializer = NN_INIT_GLOROT_UNIFORM;
    spec->activation = NN_ACT_LINEAR;

    if (strcmp(f[0], "conv2d") == 0) return parse_conv2d(f, index, text, spec);
    if (strcmp(f[0], "maxpool") == 0) return parse_pool(f, index, NN_LAYER_MAX_POOLING2D, spec);
    if (strcmp(f[0], "avgpool") == 0) return parse_pool(f, index, NN_LAYER_AVERAGE_POOLING2D, spec);
    if (strcmp(f[0], "flatten") == 0) return parse_plain(f, index, NN_LAYER_FLATTEN, spec);
    if (strcmp(f[0], "batchnorm") == 0) return parse_plain(f, index, NN_LAYER_BATCH_NORMALIZATION, spec);
    if (f[3][0]) return nn_fail(NN_ERR_ARG, NN_R_PARSE_PARTS, NN_I("layer", index), NN_S("text", text));
    if (strcmp(f[0], "dense") == 0) { // optional "dense:" prefix
        memmove(f[0], f[1], sizeof f[0]);
        memmove(f[1], f[2], sizeof f[0]);
        f[2][0] = '\0';
    }
    if (strcmp(f[0], "dropout") == 0) {
        char *end;
        double rate = strtod(f[1], &end);
        if (!f[1][0] || *end || !(rate >= 0.0 && rate < 1.0))
            return nn_fail(NN_ERR_ARG, NN_R_PARSE_DROPOUT, NN_I("layer", index), NN_S("text", f[1]));
        spec->kind = NN_LAYER_DROPOUT;
        spec->rate = (float)rate;
        return NN_OK;
    }
    if (strcmp(f[0], "activation") == 0 || (!isdigit((unsigned char)f[0][0]) && f[0][0] != '-' &&
                                           nn_activation_from_name(f[0]) >= 0 && !f[1][0])) {
        spec->kind = NN_LAYER_ACTIVATION;
        return parse_activation(strcmp(f[0], "activation") == 0 ? f[1] : f[0], index,
                                &spec->activation);
    }
    char *end;
    long units = strtol(f[0], &end, 10);
    if (!f[0][0] || *end)
        return nn_fail(NN_ERR_ARG, NN_R_PARSE_UNITS_SYNTAX, NN_I("layer", index), NN_S("text", text));
    if (units < 1 || units > NN_MAX_UNITS)
        return nn_fail(NN_ERR_ARG, NN_R_PARSE_UNITS, NN_I("layer", index), NN_I("units", units),
                       NN_I("max", NN_MAX_UNITS));
    spec->kind = NN_LAYER_DENSE;
    spec->units = (int)units;
    if (f[1][0]) {
        int rc = parse_activation(f[1], index, &spec->activation);
        if (rc) return rc;
    }
    if (f[2][0]) {
        int init = nn_initializer_from_name(f[2]);
        if (init < 0) return layer_error(index);
        spec->kernel_initializer = (nn_initializer)init;
    }
    return NN_OK;
}

int nn_parse_layers(const char *text, nn_layer_spec *specs, int max) {
    if (!text) return nn_fail(NN_ERR_ARG, NN_R_PARSE_NONE);
    int n = 0;
    const char *s = text;
    char item[200];
    while (*s) {
        s = next_field(s, ',', item, sizeof item);
        if (!item[0]) continue;
        if (n >= max)
            return nn_fail(NN_ERR_ARG, NN_R_PARSE_TOO_MANY, NN_I("max", max));
        int rc = parse_one(item, n + 1, &specs[n]);
        if (rc) return rc;
        n++;
    }
    if (n == 0) return nn_fail(NN_ERR_ARG, NN_R_PARSE_EMPTY);
    return n;
}

// "3" for a square window, else "5x3".
static void format_pair(char *buf, size_t size, int h, int w) {
    if (h == w) snprintf(buf, size, "%d", h);
    else snprintf(buf, size, "%dx%d", h, w);
}

static void format_one(const nn_layer_spec *l, char *item, size_t size) {
    char window[32], strides[32];
    format_pair(window, sizeof window, l->kernel_h, l->kernel_w);
    format_pair(strides, sizeof strides, l->stride_h, l->stride_w);
    const char *padding = nn_padding_name(l->padding);
    switch (l->kind) {
    case NN_LAYER_DROPOUT: snprintf(item, size, "dropout:%g", l->rate); break;
    case NN_LAYER_ACTIVATION: snprintf(item, size, "activation:%s", nn_activation_name(l->activation)); break;
    case NN_LAYER_FLATTEN: snprintf(item, size, "flatten"); break;
    case NN_LAYER_BATCH_NORMALIZATION: snprintf(item, size, "batchnorm"); break;
    case NN_LAYER_CONV2D: {
        int n = snprintf(item, size, "conv2d:%d:%s:%s", l->filters, window, nn_activation_name(l->activation));
        if (l->stride_h != 1 || l->stride_w != 1) snprintf(item + n, size - (size_t)n, ":%s:%s", padding, strides);
        else if (l->padding == NN_PADDING_SAME) snprintf(item + n, size - (size_t)n, ":same");
        break;
    }
    case NN_LAYER_MAX_POOLING2D:
    case NN_LAYER_AVERAGE_POOLING2D: {
        const char *name = l->kind == NN_LAYER_MAX_POOLING2D ? "maxpool" : "avgpool";
        int n = snprintf(item, size, "%s:%s", name, window);
        if (l->padding == NN_PADDING_SAME) snprintf(item + n, size - (size_t)n, ":%s:same", strides);
        else if (l->stride_h != l->kernel_h || l->stride_w != l->kernel_w)
            snprintf(item + n, size - (size_t)n, ":%s", strides);
        break;
    }
    default:
        if (l->kernel_initializer != NN_INIT_GLOROT_UNIFORM)
            snprintf(item, size, "%d:%s:%s", l->units, nn_activation_name(l->activation),
                     nn_initializer_name(l->kernel_initializer));
        else
            snprintf(item, size, "%d:%s", l->units, nn_activation_name(l->activation));
    }
}

int nn_format_layers(const nn_layer_spec *specs, int n, char *buf, size_t size) {
    size_t used = 0;
    if (size) buf[0] = '\0';
    for (int i = 0; i < n; i++) {
        const nn_layer_spec *l = &specs[i];
        char item[128];
        format_one(l, item, sizeof item);
        int w = snprintf(buf + used, size > used ? size - used : 0, "%s%s", i ? "," : "", item);
        used += (size_t)w;
    }
    return used < size ? NN_OK : nn_fail(NN_ERR_ARG, NN_R_FORMAT_SIZE, NN_U("size", size));
}
