/*
 * train.c — fit(): epochs of shuffled mini-batches with validation and
 * history, as Keras's Model.fit.
 *
 * fit is a small state machine (begin / run N steps / end) rather than one
 * loop, because the browser worker must return to its event loop every few
 * milliseconds to answer pause, resume and "one step". nn_fit() is the plain
 * loop over it, for the CLI and the tests.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reasons.h"

nn_fit_options nn_fit_defaults(void) {
    nn_fit_options o;
    memset(&o, 0, sizeof o);
    o.epochs = 1;
    o.batch_size = 32;
    o.shuffle = 1;
    return o;
}

// ---------------------------------------------------------------------------
// Checks made once, before the first step

// what: a term (NN_R_TERM_TRAINING_DATA, ...), as the sentence calls the data.
static int check_labels(const nn_dataset *d, int outputs, nn_reason what) {
    int classes = outputs == 1 ? 2 : outputs;
    int worst = -1;
    for (int i = 0; i < d->n; i++)
        if (d->labels[i] >= classes && d->labels[i] > worst) worst = d->labels[i];
    if (worst >= 0)
        return nn_fail(NN_ERR_ARG, NN_R_FIT_LABELS, NN_TERM("what", what), NN_I("label", worst),
                       NN_I("outputs", outputs), NN_I("need", worst + 1));
    return NN_OK;
}

static int check_dataset(const nn_model *m, const nn_dataset *d, nn_reason what) {
    if (!d || d->n < 1) return nn_fail(NN_ERR_ARG, NN_R_DATA_EMPTY, NN_TERM("what", what));
    if (d->features != m->input_size)
        return nn_fail(NN_ERR_ARG, NN_R_FIT_FEATURES, NN_TERM("what", what), NN_I("features", d->features),
                       NN_I("rows", d->rows), NN_I("cols", d->cols), NN_I("inputs", m->input_size));
    int rc = nn_check_image_size_of(m, d, what);
    return rc ? rc : check_labels(d, nn_model_output_size(m), what);
}

// The classes of the training data: its n_classes, or 1 + its largest label
// if that is more (as Keras's to_categorical counts them).
static int classes_of(const nn_dataset *d) {
    int classes = d->n_classes;
    for (int i = 0; i < d->n; i++)
        if (d->labels[i] >= classes) classes = d->labels[i] + 1;
    return classes;
}

static int grow_history(nn_history *h, int need) {
    if (need <= h->capacity) return NN_OK;
    float **arrays[4] = {&h->loss, &h->accuracy, &h->val_loss, &h->val_accuracy};
    for (int i = 0; i < 4; i++) {
        float *p = realloc(*arrays[i], (size_t)need * sizeof(float));
        if (!p) return nn_fail(NN_ERR_NOMEM, NN_R_FIT_HISTORY_NOMEM);
        *arrays[i] = p;
    }
    h->capacity = need;
    return NN_OK;
}

// ---------------------------------------------------------------------------
// Snapshots: weights that diverge mid-epoch may be finite but useless, so the
// model goes back to where the epoch began, which is known to be sound.

// Parameters, optimizer slots and the non-trainable state (BatchNormalization's
// moving statistics move in every training step too).
static size_t snapshot_floats(const nn_model *m) {
    return m->n_params * (size_t)(1 + (m->slots[0] != NULL) + (m->slots[1] != NULL)) + m->n_state;
}

static void take_snapshot(nn_fit_state *s) {
    nn_model *m = s->model;
    float *p = s->snapshot;
    memcpy(p, m->params, m->n_params * sizeof(float));
    for (int i = 0; i < 2; i++)
        if (m->slots[i]) memcpy(p += m->n_params, m->slots[i], m->n_params * sizeof(float));
    if (m->n_state) memcpy(p + m->n_params, m->state, m->n_state * sizeof(float));
    s->snapshot_step = m->step;
    s->snapshot_u_product = m->nadam_u_product;
}

static void restore_snapshot(nn_fit_state *s) {
    nn_model *m = s->model;
    const float *p = s->snapshot;
    memcpy(m->params, p, m->n_params * sizeof(float));
    for (int i = 0; i < 2; i++)
        if (m->slots[i]) memcpy(m->slots[i], p += m->n_params, m->n_params * sizeof(float));
    if (m->n_state) memcpy(m->state, p + m->n_params, m->n_state * sizeof(float));
    m->step = s->snapshot_step;
    m->nadam_u_product = s->snapshot_u_product;
}

// ---------------------------------------------------------------------------
// The state machine

int nn_fit_begin(nn_fit_state *s, nn_model *m, const nn_dataset *train, const nn_fit_options *o) {
    memset(s, 0, sizeof *s);
    if (!m->compiled) return nn_fail(NN_ERR_STATE, NN_R_FIT_UNCOMPILED);
    // epochs == 0 is allowed, as in Keras: the fit checks everything and trains nothing.
    if (o->epochs < 0) return nn_fail(NN_ERR_ARG, NN_R_FIT_EPOCHS, NN_I("epochs", o->epochs));
    if (o->batch_size < 1) return nn_fail(NN_ERR_ARG, NN_R_FIT_BATCH_SIZE, NN_I("batch", o->batch_size));
    if (!(o->validation_split >= 0.0f && o->validation_split < 1.0f))
        return nn_fail(NN_ERR_ARG, NN_R_FIT_SPLIT, NN_G("split", o->validation_split));
    int rc = check_dataset(m, train, NN_R_TERM_TRAINING_DATA);
    if (rc) return rc;
    rc = nn_loss_check_outputs(m->loss, nn_model_output_size(m), classes_of(train));
    if (rc) return rc;
    if (o->validation_data) {
        rc = check_dataset(m, o->validation_data, NN_R_TERM_VALIDATION_DATA);
        if (rc) return rc;
    }
    int n_train = train->n;
    if (!o->validation_data && o->validation_split > 0.0f) {
        // Keras: split_at = ceil(n * (1 - split)); the last samples validate, taken before shuffling.
        n_train = (int)ceil((double)train->n * (1.0 - (double)o->validation_split));
        if (n_train >= train->n || n_train < 1)
            return nn_fail(NN_ERR_ARG, NN_R_FIT_SPLIT_EMPTY, NN_G("split", o->validation_split), NN_I("n", train->n),
                           NN_I("train", n_train), NN_I("val", train->n - n_train));
    }
    rc = nn_model_reserve_batch(m, o->batch_size);
    if (rc) return rc;
    rc = grow_history(&m->history, m->history.epochs + o->epochs);
    if (rc) return rc;
    s->order = malloc((size_t)n_train * sizeof *s->order);
    s->snapshot = malloc(snapshot_floats(m) * sizeof(float) + 1);
    if (!s->order || !s->snapshot) {
        nn_fit_end(s);
        return nn_fail(NN_ERR_NOMEM, NN_R_FIT_ORDER_NOMEM);
    }
    for (int i = 0; i < n_train; i++) s->order[i] = i;
    if (o->shuffle) nn_rng_shuffle(&m->rng, s->order, n_train);
    s->model = m;
    s->train = train;
    s->opt = *o;
    s->n_train = n_train;
    s->n_val = train->n - n_train;
    s->steps = (n_train + o->batch_size - 1) / o->batch_size; // the last partial batch counts, as Keras
    s->last_epoch.val_loss = s->last_epoch.val_accuracy = NAN;
    take_snapshot(s);
    s->done = o->epochs == 0;
    return NN_OK;
}

// The data an epoch validates on: validation_data, else the last n_val
// training samples (a view written into *tail); NULL when there is none.
static const nn_dataset *validation_of(const nn_fit_state *s, nn_dataset *tail) {
    if (s->opt.validation_data) return s->opt.validation_data;
    if (s->n_val <= 0) return NULL;
    *tail = *s->train;
    tail->n = s->n_val;
    tail->images += (size_t)s->n_train * tail->features;
    tail->labels += s->n_train;
    return tail;
}

// History and the epoch callback (val_loss, val_accuracy NaN without
// validation); then the next epoch's order.
static void end_epoch(nn_fit_state *s, float val_loss, float val_accuracy) {
    nn_model *m = s->model;
    nn_epoch_log *log = &s->last_epoch;
    log->epoch = s->epoch;
    log->epochs = s->opt.epochs;
    log->loss = (float)(s->loss_sum / (double)s->seen);
    log->accuracy = (float)((double)s->correct / (double)s->seen);
    log->val_loss = val_loss;
    log->val_accuracy = val_accuracy;
    nn_history *h = &m->history;
    h->loss[h->epochs] = log->loss;
    h->accuracy[h->epochs] = log->accuracy;
    h->val_loss[h->epochs] = log->val_loss;
    h->val_accuracy[h->epochs] = log->val_accuracy;
    h->epochs++;

    s->epoch++;
    s->step = 0;
    s->loss_sum = 0.0;
    s->correct = 0;
    s->seen = 0;
    s->validating = 0;
    take_snapshot(s);
    if (s->epoch >= s->opt.epochs) s->done = 1;
    else if (s->opt.shuffle) nn_rng_shuffle(&m->rng, s->order, s->n_train);
    if (s->opt.on_epoch && s->opt.on_epoch(s->opt.user, log)) s->done = 1;
}

// One piece of the epoch's validation: all of it, or with validate_in_steps
// one chunk of the model's batch capacity; the epoch ends after the last.
static int validate(nn_fit_state *s) {
    nn_dataset tail;
    const nn_dataset *val = validation_of(s, &tail);
    int left = s->val_n - s->val_at;
    int count = s->opt.validate_in_steps && left > s->model->batch_capacity ? s->model->batch_capacity : left;
    int rc = nn_model_evaluate_part(s->model, val, s->val_at, count, &s->val_loss_sum, &s->val_correct);
    if (rc) return rc;
    s->val_at += count;
    if (s->val_at == s->val_n)
        end_epoch(s, (float)(s->val_loss_sum / s->val_n), (float)((double)s->val_correct / s->val_n));
    return NN_OK;
}

// The epoch's batches are done: validate (at once, or from the next step on), or end it.
static int batches_done(nn_fit_state *s) {
    nn_dataset tail;
    const nn_dataset *val = validation_of(s, &tail);
    if (!val) {
        end_epoch(s, NAN, NAN);
        return NN_OK;
    }
    s->val_n = val->n;
    s->val_at = 0;
    s->val_loss_sum = 0.0;
    s->val_correct = 0;
    s->validating = 1;
    // (A fit its callback stopped validates at once, as it ends with this step.)
    return s->opt.validate_in_steps && !s->done ? NN_OK : validate(s);
}

int nn_fit_run(nn_fit_state *s, int max_steps, int stop_at_epoch_end) {
    nn_model *m = s->model;
    int B = s->opt.batch_size, ran = 0;
    while (ran < max_steps && !s->done) {
        if (s->validating) {
            int rc = validate(s);
            if (rc) {
                s->done = 1;
                return rc;
            }
            ran++;
            if (!s->validating && stop_at_epoch_end) break;
            continue;
        }
        int start = s->step * B;
        int rows = s->n_train - start < B ? s->n_train - start : B;
        nn_dataset_gather(s->train, s->order + start, rows, m->x, m->labels);
        float loss;
        int correct;
        int rc = nn_model_train_batch(m, m->x, m->labels, rows, &loss, &correct);
        if (rc == NN_ERR_DIVERGED) {
            restore_snapshot(s);
            nn_fail(rc, NN_R_FIT_ROLLED_BACK, NN_WHY("why"), NN_I("epoch", s->epoch + 1));
        }
        if (rc) {
            s->done = 1;
            return rc;
        }
        ran++;
        s->step++;
        s->loss_sum += (double)loss * rows;
        s->correct += correct;
        s->seen += rows;
        nn_progress *p = &s->progress;
        p->epoch = s->epoch;
        p->epochs = s->opt.epochs;
        p->step = s->step;
        p->steps = s->steps;
        p->loss = (float)(s->loss_sum / (double)s->seen);
        p->accuracy = (float)((double)s->correct / (double)s->seen);
        p->batch_loss = loss;
        p->batch_accuracy = (float)correct / (float)rows;
        if (s->opt.on_batch && s->opt.on_batch(s->opt.user, p)) s->done = 1;
        if (s->step == s->steps) {
            rc = batches_done(s);
            if (rc) {
                s->done = 1;
                return rc;
            }
            if (!s->validating && stop_at_epoch_end) break;
        }
    }
    return ran;
}

void nn_fit_end(nn_fit_state *s) {
    free(s->order);
    free(s->snapshot);
    s->order = NULL;
    s->snapshot = NULL;
    s->done = 1;
}

int nn_fit(nn_model *m, const nn_dataset *train, const nn_fit_options *o) {
    nn_fit_state s;
    int rc = nn_fit_begin(&s, m, train, o);
    if (rc) return rc;
    while (!s.done) {
        rc = nn_fit_run(&s, INT_MAX, 0);
        if (rc < 0) break;
    }
    nn_fit_end(&s);
    return rc < 0 ? rc : NN_OK;
}
