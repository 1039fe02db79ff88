/*
 * options.c — command-line parsing for the nnlab CLI.
 *
 * Each command describes its options in one table (name, type, destination,
 * help line); the same table drives parsing and --help, so the two cannot
 * drift apart. Misuse is reported with the option's name and exit code 2,
 * the convention of getopt-based tools.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

// ---------------------------------------------------------------------------
// Messages

void cli_usage_error(const cli_command *cmd, const char *fmt, ...) {
    va_list ap;
    fprintf(stderr, "nnlab %s: ", cmd->name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nRun 'nnlab %s --help' for the list of options.\n", cmd->name);
    exit(CLI_EXIT_USAGE);
}

int cli_fail(const char *hint) {
    const char *msg = nn_last_error();
    fprintf(stderr, "nnlab: error: %s\n", msg[0] ? msg : "unknown failure");
    if (hint && hint[0]) fprintf(stderr, "hint: %s\n", hint);
    return CLI_EXIT_USAGE;
}

// ---------------------------------------------------------------------------
// Help

void cli_print_help(const cli_command *cmd, const cli_option *opts, int n_opts) {
    printf("Usage: nnlab %s %s\n\n%s\n\nOptions:\n", cmd->name, cmd->usage, cmd->summary);
    for (int i = 0; i < n_opts; i++) {
        char left[64];
        if (opts[i].meta)
            snprintf(left, sizeof left, "%s %s", opts[i].name, opts[i].meta);
        else
            snprintf(left, sizeof left, "%s", opts[i].name);
        printf("  %-24s %s\n", left, opts[i].help);
    }
    printf("  %-24s %s\n", "-h, --help", "show this help and exit");
    if (cmd->details) printf("\n%s\n", cmd->details);
}

int cli_given(const cli_option *opts, int n_opts, const char *name) {
    for (int i = 0; i < n_opts; i++)
        if (strcmp(opts[i].name, name) == 0) return opts[i].given;
    return 0;
}

// ---------------------------------------------------------------------------
// Values. Each reader refuses trailing junk ("10x"), empty strings and
// out-of-range numbers, so a typo never silently becomes a default.

static void read_value(const cli_command *cmd, cli_option *o, const char *v) {
    char *end = NULL;
    errno = 0;
    switch (o->type) {
    case CLI_STRING:
        *(const char **)o->dest = v;
        return;
    case CLI_INT: {
        long x = strtol(v, &end, 10);
        if (v[0] == '\0' || *end != '\0')
            cli_usage_error(cmd, "%s expects a whole number, got '%s'", o->name, v);
        if (errno == ERANGE || x < INT_MIN || x > INT_MAX)
            cli_usage_error(cmd, "%s: %s is out of range", o->name, v);
        *(int *)o->dest = (int)x;
        return;
    }
    case CLI_U64: {
        const char *p = v;
        while (*p == ' ') p++;
        if (*p == '-')
            cli_usage_error(cmd, "%s expects a non-negative whole number, got '%s'", o->name, v);
        unsigned long long x = strtoull(v, &end, 10);
        if (v[0] == '\0' || *end != '\0')
            cli_usage_error(cmd, "%s expects a non-negative whole number, got '%s'", o->name, v);
        if (errno == ERANGE) cli_usage_error(cmd, "%s: %s is out of range", o->name, v);
        *(uint64_t *)o->dest = (uint64_t)x;
        return;
    }
    case CLI_FLOAT: {
        double x = strtod(v, &end);
        if (v[0] == '\0' || *end != '\0')
            cli_usage_error(cmd, "%s expects a number, got '%s'", o->name, v);
        if (!isfinite(x) || (errno == ERANGE && fabs(x) > 1.0) || fabs(x) > 3.0e38)
            cli_usage_error(cmd, "%s expects a finite number, got '%s'", o->name, v);
        *(float *)o->dest = (float)x;
        return;
    }
    case CLI_FLAG:
        break;
    }
}

// ---------------------------------------------------------------------------
// Parsing: "--name value" and "--name=value"; flags take no value.

void cli_parse(const cli_command *cmd, cli_option *opts, int n_opts, int argc, char **argv,
               int first) {
    for (int i = first; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            cli_print_help(cmd, opts, n_opts);
            exit(CLI_EXIT_OK);
        }
        if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0')
            cli_usage_error(cmd, "unexpected argument '%s' (options start with --)", arg);

        const char *eq = strchr(arg, '=');
        size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
        cli_option *o = NULL;
        for (int k = 0; k < n_opts; k++)
            if (strlen(opts[k].name) == len && strncmp(opts[k].name, arg, len) == 0) o = &opts[k];
        if (!o) cli_usage_error(cmd, "unknown option '%.*s'", (int)len, arg);

        o->given = 1;
        if (o->type == CLI_FLAG) {
            if (eq) cli_usage_error(cmd, "%s takes no value", o->name);
            *(int *)o->dest = 1;
            continue;
        }
        const char *value = NULL;
        if (eq)
            value = eq + 1;
        else if (i + 1 < argc && strncmp(argv[i + 1], "--", 2) != 0)
            value = argv[++i];
        if (!value) cli_usage_error(cmd, "%s needs a value (%s)", o->name, o->meta);
        read_value(cmd, o, value);
    }
}
