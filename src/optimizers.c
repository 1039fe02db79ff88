/*
 * optimizers.c — Keras 3 update rules, each one loop over a flat array.
 *
 * Every model keeps its weights, gradients and optimizer state in flat float
 * arrays with the same layout, so one call updates all parameters. The rules
 * and defaults are those of Keras 3, keras/src/optimizers/<name>.py
 * (update_step), including the forms that differ from textbook versions:
 *   adam     alpha = lr·sqrt(1-b2^t)/(1-b1^t); w -= alpha·m/(sqrt(v) + eps)
 *            (eps is added outside the square root and is not bias-corrected)
 *   rmsprop  w -= lr·g / sqrt(v + eps)                 (eps inside the root)
 *   adagrad  w -= lr·g / sqrt(acc + eps), acc starts at 0.1
 *   adamax   w -= lr·m / ((1 - b1^t)·(u + eps))
 *   nadam    Dozat's momentum schedule u_t = b1·(1 - 0.5·0.96^t), with a
 *            running product of u_t (Keras 3 has no 0.004 factor in the
 *            exponent, unlike Keras 2)
 *   sgd      m = momentum·m - lr·g; w += m, or w += momentum·m - lr·g (nesterov)
 * Per-step scalars (bias corrections) are computed once in double; the loop
 * body is float multiply/add/sqrt/divide only, which clang vectorises for
 * wasm_simd128. Element updates are written in Keras's own order
 * (m += (g - m)·(1 - b1)) so float results track Keras closely.
 */
#include <ctype.h>
#include <math.h>
#include <string.h>

#include "reasons.h"

// ---------------------------------------------------------------------------
// Names and defaults

static const char *const opt_names[NN_OPT_COUNT] = {
    [NN_OPT_SGD] = "sgd",         [NN_OPT_ADAM] = "adam",       [NN_OPT_RMSPROP] = "rmsprop",
    [NN_OPT_ADAMAX] = "adamax",   [NN_OPT_ADAGRAD] = "adagrad", [NN_OPT_NADAM] = "nadam",
};

const char *nn_optimizer_name(nn_optimizer_kind k) {
    if ((int)k < 0 || k >= NN_OPT_COUNT) return "unknown";
    return opt_names[k];
}

// Case-insensitive, as keras.optimizers.get("Adam") and get("adam") both work.
int nn_optimizer_from_name(const char *name) {
    if (!name) return nn_unknown_name(NN_R_NAME_OPTIMIZER, "", opt_names, NN_OPT_COUNT);
    for (int i = 0; i < NN_OPT_COUNT; i++) {
        const char *a = name, *b = opt_names[i];
        while (*a && tolower((unsigned char)*a) == *b) a++, b++;
        if (*a == '\0' && *b == '\0') return i;
    }
    return nn_unknown_name(NN_R_NAME_OPTIMIZER, name, opt_names, NN_OPT_COUNT);
}

nn_optimizer nn_optimizer_defaults(nn_optimizer_kind k) {
    nn_optimizer o;
    o.kind = k;
    o.learning_rate = k == NN_OPT_SGD ? 0.01f : 0.001f;
    o.beta_1 = 0.9f;
    o.beta_2 = 0.999f;
    o.epsilon = 1e-7f;
    o.momentum = 0.0f;
    o.nesterov = 0;
    o.rho = 0.9f;
    o.initial_accumulator_value = 0.1f;
    return o;
}

// ---------------------------------------------------------------------------
// Settings

// The ranges Keras 3's constructors accept. SGD: "`momentum` must be a float
// between [0, 1]" (keras/src/optimizers/sgd.py), so 1 (no decay) is allowed.
// The tests are written so that NaN fails every one of them.
int nn_optimizer_check(const nn_optimizer *o) {
    if ((unsigned)o->kind >= NN_OPT_COUNT) return nn_fail(NN_ERR_ARG, NN_R_OPT_KIND);
    if (!(o->learning_rate > 0.0f) || !isfinite(o->learning_rate))
        return nn_fail(NN_ERR_ARG, NN_R_OPT_LR, NN_G("lr", o->learning_rate), NN_S("optimizer", nn_optimizer_name(o->kind)),
                       NN_G("default", nn_optimizer_defaults(o->kind).learning_rate));
    if (!(o->momentum >= 0.0f && o->momentum <= 1.0f))
        return nn_fail(NN_ERR_ARG, NN_R_OPT_MOMENTUM, NN_G("momentum", o->momentum));
    const struct {
        const char *name;
        float value;
    } decays[] = {{"beta_1", o->beta_1}, {"beta_2", o->beta_2}, {"rho", o->rho}};
    for (int i = 0; i < 3; i++)
        if (!(decays[i].value >= 0.0f && decays[i].value < 1.0f))
            return nn_fail(NN_ERR_ARG, NN_R_OPT_DECAY, NN_S("setting", decays[i].name), NN_G("value", decays[i].value));
    if (!(o->epsilon >= 0.0f && isfinite(o->epsilon)))
        return nn_fail(NN_ERR_ARG, NN_R_OPT_EPSILON, NN_G("epsilon", o->epsilon));
    if (!(o->initial_accumulator_value >= 0.0f && isfinite(o->initial_accumulator_value)))
        return nn_fail(NN_ERR_ARG, NN_R_OPT_ACCUMULATOR, NN_G("value", o->initial_accumulator_value));
    return NN_OK;
}

// 100 times Keras's default (0.01 for sgd, 0.001 for the others): above it
// the first steps already throw the weights far from where they started, and
// training diverges or stays at chance. A warning for the user, not a
// refusal: Keras accepts any positive rate.
int nn_optimizer_lr_is_high(const nn_optimizer *o) {
    return o->learning_rate > 100.0f * nn_optimizer_defaults(o->kind).learning_rate;
}

// ---------------------------------------------------------------------------
// Update rules. The arrays never overlap, which `restrict` tells the
// compiler so it can vectorise without runtime alias checks.

void nn_sgd_update(size_t n, float *restrict w, const float *restrict g, float *restrict m,
                   float lr, float momentum, int nesterov) {
    if (!m || momentum == 0.0f) {
        for (size_t i = 0; i < n; i++) w[i] -= g[i] * lr;
        return;
    }
    if (nesterov) {
        for (size_t i = 0; i < n; i++) {
            m[i] = m[i] * momentum - g[i] * lr;
            w[i] += m[i] * momentum - g[i] * lr;
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            m[i] = m[i] * momentum - g[i] * lr;
            w[i] += m[i];
        }
    }
}

void nn_adam_update(size_t n, float *restrict w, const float *restrict g, float *restrict m,
                    float *restrict v, float lr, float b1, float b2, float eps, int64_t t) {
    const float alpha = (float)(lr * sqrt(1.0 - pow(b2, (double)t)) / (1.0 - pow(b1, (double)t)));
    const float c1 = 1.0f - b1, c2 = 1.0f - b2;
    for (size_t i = 0; i < n; i++) {
        m[i] += (g[i] - m[i]) * c1;
        v[i] += (g[i] * g[i] - v[i]) * c2;
        w[i] -= m[i] * alpha / (sqrtf(v[i]) + eps);
    }
}

void nn_rmsprop_update(size_t n, float *restrict w, const float *restrict g, float *restrict v,
                       float lr, float rho, float eps) {
    const float c = 1.0f - rho;
    for (size_t i = 0; i < n; i++) {
        v[i] = rho * v[i] + c * (g[i] * g[i]);
        w[i] -= lr * g[i] / sqrtf(v[i] + eps);
    }
}

void nn_adamax_update(size_t n, float *restrict w, const float *restrict g, float *restrict m,
                      float *restrict u, float lr, float b1, float b2, float eps, int64_t t) {
    const float bc = (float)(1.0 - pow(b1, (double)t));
    const float c1 = 1.0f - b1;
    for (size_t i = 0; i < n; i++) {
        m[i] += (g[i] - m[i]) * c1;
        float a = fabsf(g[i]), bu = b2 * u[i];
        u[i] = bu > a ? bu : a;
        w[i] -= lr * m[i] / (bc * (u[i] + eps));
    }
}

void nn_adagrad_update(size_t n, float *restrict w, const float *restrict g, float *restrict acc,
                       float lr, float eps) {
    for (size_t i = 0; i < n; i++) {
        acc[i] += g[i] * g[i];
        w[i] -= lr * g[i] / sqrtf(acc[i] + eps);
    }
}

// Keras 3 multiplies the product by u_t before the variables are updated
// (Nadam._backend_update_step), so the update of step t sees
// u_product_t = u_1·…·u_t and u_product_{t+1} = u_product_t·u_{t+1}.
void nn_nadam_update(size_t n, float *restrict w, const float *restrict g, float *restrict m,
                     float *restrict v, float lr, float b1, float b2, float eps, int64_t t,
                     float *u_product) {
    const double u_t = b1 * (1.0 - 0.5 * pow(0.96, (double)t));
    const double u_t1 = b1 * (1.0 - 0.5 * pow(0.96, (double)(t + 1)));
    double prod;
    if (u_product) {
        prod = (double)*u_product * u_t;
        *u_product = (float)prod;
    } else {
        // No running product kept: rebuild it (O(t), only for callers without state).
        prod = 1.0;
        for (int64_t k = 1; k <= t; k++) prod *= b1 * (1.0 - 0.5 * pow(0.96, (double)k));
    }
    const double prod1 = prod * u_t1;
    // m_hat = u_{t+1}·m/(1 - prod_{t+1}) + (1 - u_t)·g/(1 - prod_t)
    const float cm = (float)(u_t1 / (1.0 - prod1));
    const float cg = (float)((1.0 - u_t) / (1.0 - prod));
    const float inv_bc2 = (float)(1.0 / (1.0 - pow(b2, (double)t)));
    const float c1 = 1.0f - b1, c2 = 1.0f - b2;
    for (size_t i = 0; i < n; i++) {
        m[i] += (g[i] - m[i]) * c1;
        v[i] += (g[i] * g[i] - v[i]) * c2;
        float m_hat = cm * m[i] + cg * g[i];
        float v_hat = v[i] * inv_bc2;
        w[i] -= m_hat * lr / (sqrtf(v_hat) + eps);
    }
}

// ---------------------------------------------------------------------------
// Dispatch over the flat parameter block

int nn_optimizer_slots(const nn_optimizer *o) {
    switch (o->kind) {
    case NN_OPT_SGD: return o->momentum > 0.0f ? 1 : 0;
    case NN_OPT_ADAM:
    case NN_OPT_ADAMAX:
    case NN_OPT_NADAM: return 2;
    case NN_OPT_RMSPROP:
    case NN_OPT_ADAGRAD: return 1;
    default: return 0;
    }
}

float nn_optimizer_slot_init(const nn_optimizer *o, int slot) {
    return (o->kind == NN_OPT_ADAGRAD && slot == 0) ? o->initial_accumulator_value : 0.0f;
}

static void apply_range(const nn_optimizer *o, size_t n, float *w, const float *g, float *s0,
                        float *s1, int64_t t, float *u_product) {
    const float lr = o->learning_rate;
    switch (o->kind) {
    case NN_OPT_SGD:
        nn_sgd_update(n, w, g, o->momentum > 0.0f ? s0 : NULL, lr, o->momentum, o->nesterov);
        break;
    case NN_OPT_ADAM:
        nn_adam_update(n, w, g, s0, s1, lr, o->beta_1, o->beta_2, o->epsilon, t);
        break;
    case NN_OPT_RMSPROP:
        nn_rmsprop_update(n, w, g, s0, lr, o->rho, o->epsilon);
        break;
    case NN_OPT_ADAMAX:
        nn_adamax_update(n, w, g, s0, s1, lr, o->beta_1, o->beta_2, o->epsilon, t);
        break;
    case NN_OPT_ADAGRAD:
        nn_adagrad_update(n, w, g, s0, lr, o->epsilon);
        break;
    case NN_OPT_NADAM:
        nn_nadam_update(n, w, g, s0, s1, lr, o->beta_1, o->beta_2, o->epsilon, t, u_product);
        break;
    default:
        break;
    }
}

// The update split into ranges of the flat block, one a thread: each weight's
// update reads only its own gradient and slots. Nadam's running product is
// one number: every part starts from the same value and part 0's result is kept.
typedef struct {
    const nn_optimizer *o;
    size_t n;
    float *w, *s0, *s1;
    const float *g;
    int64_t t;
    float u_before, u_after;
    int has_u;
} update_job;

static void update_part(void *ctx, int part, int parts) {
    update_job *j = ctx;
    size_t lo = j->n * (size_t)part / (size_t)parts, hi = j->n * (size_t)(part + 1) / (size_t)parts;
    lo -= lo % 16;
    hi = part == parts - 1 ? j->n : hi - hi % 16;
    float u = j->u_before;
    apply_range(j->o, hi - lo, j->w + lo, j->g + lo, j->s0 ? j->s0 + lo : NULL, j->s1 ? j->s1 + lo : NULL,
                j->t, j->has_u ? &u : NULL);
    if (part == 0) j->u_after = u;
}

void nn_optimizer_apply(const nn_optimizer *o, size_t n, float *w, const float *g, float *s0,
                        float *s1, int64_t t, float *u_product) {
    update_job j = {o, n, w, s0, s1, g, t, u_product ? *u_product : 0.0f, 0.0f, u_product != NULL};
    nn_parallel(update_part, &j, nn_parts_for(n));
    if (u_product) *u_product = j.u_after;
}
