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

#include "nnlab.h"

static const char *const initializer_names[NN_INIT_COUNT] = {
    "glorot_uniform", "glorot_normal", "he_normal", "he_uniform", "zeros"};

const char *nn_initializer_name(nn_initializer i) {
    return (unsigned)i < NN_INIT_COUNT ? initializer_names[i] : "?";
}

int nn_initializer_from_name(const char *name) {
    for (int i = 0; i < NN_INIT_COUNT; i++)
        if (strcmp(name, initializer_names[i]) == 0) return i;
    return nn_unknown_name("initializer", name, initializer_names, NN_INIT_COUNT);
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
static int layer_error(int index) {
    char why[512];
    snprintf(why, sizeof why, "%s", nn_last_error());
    return nn_set_error(NN_ERR_ARG, "layer %d: %s", index, why);
}

static int parse_activation(const char *name, int index, nn_activation *out) {
    int a = nn_activation_from_name(name);
    if (a < 0) return layer_error(index);
    *out = (nn_activation)a;
    return NN_OK;
}

static int parse_one(const char *text, int index, nn_layer_spec *spec) {
    char f[3][64] = {{0}};
    int nf = 0;
    const char *s = text;
    while (*s && nf < 3) s = next_field(s, ':', f[nf++], sizeof f[0]);
    if (*s) return nn_set_error(NN_ERR_ARG, "layer %d ('%s'): too many ':' parts", index, text);

    memset(spec, 0, sizeof *spec);
    spec->kernel_initializer = NN_INIT_GLOROT_UNIFORM;
    spec->activation = NN_ACT_LINEAR;

    if (strcmp(f[0], "dense") == 0) { // optional "dense:" prefix
        memmove(f[0], f[1], sizeof f[0]);
        memmove(f[1], f[2], sizeof f[0]);
        f[2][0] = '\0';
    }
    if (strcmp(f[0], "dropout") == 0) {
        char *end;
        double rate = strtod(f[1], &end);
        if (!f[1][0] || *end || !(rate >= 0.0 && rate < 1.0))
            return nn_set_error(NN_ERR_ARG,
                                "layer %d: dropout rate '%s' must be a number from 0 up to (not "
                                "including) 1, e.g. dropout:0.2",
                                index, f[1]);
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
        return nn_set_error(NN_ERR_ARG,
                            "layer %d ('%s'): expected a number of units like 100:relu, "
                            "dropout:0.2 or an activation name",
                            index, text);
    if (units < 1 || units > NN_MAX_UNITS)
        return nn_set_error(NN_ERR_ARG,
                            "layer %d: %ld units is impossible; a Dense layer needs 1 to %d units",
                            index, units, NN_MAX_UNITS);
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
    if (!text) return nn_set_error(NN_ERR_ARG, "no layers given");
    int n = 0;
    const char *s = text;
    char item[200];
    while (*s) {
        s = next_field(s, ',', item, sizeof item);
        if (!item[0]) continue;
        if (n >= max)
            return nn_set_error(NN_ERR_ARG, "too many layers: at most %d are allowed", max);
        int rc = parse_one(item, n + 1, &specs[n]);
        if (rc) return rc;
        n++;
    }
    if (n == 0) return nn_set_error(NN_ERR_ARG, "no layers given: try \"100:relu,10:softmax\"");
    return n;
}

int nn_format_layers(const nn_layer_spec *specs, int n, char *buf, size_t size) {
    size_t used = 0;
    if (size) buf[0] = '\0';
    for (int i = 0; i < n; i++) {
        const nn_layer_spec *l = &specs[i];
        char item[128];
        if (l->kind == NN_LAYER_DROPOUT)
            snprintf(item, sizeof item, "dropout:%g", l->rate);
        else if (l->kind == NN_LAYER_ACTIVATION)
            snprintf(item, sizeof item, "activation:%s", nn_activation_name(l->activation));
        else if (l->kernel_initializer != NN_INIT_GLOROT_UNIFORM)
            snprintf(item, sizeof item, "%d:%s:%s", l->units, nn_activation_name(l->activation),
                     nn_initializer_name(l->kernel_initializer));
        else
            snprintf(item, sizeof item, "%d:%s", l->units, nn_activation_name(l->activation));
        int w = snprintf(buf + used, size > used ? size - used : 0, "%s%s", i ? "," : "", item);
        used += (size_t)w;
    }
    return used < size ? NN_OK : nn_set_error(NN_ERR_ARG, "layer list does not fit in %zu bytes", size);
}
