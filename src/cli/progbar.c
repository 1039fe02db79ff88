/*
 * progbar.c — the Keras 3 progress bar, so `nnlab train` reads like model.fit().
 *
 * Follows keras/src/utils/progbar.py (verbose=1): a 20-column bar of '━'
 * (green done, white to do), "ETA" while running as a bare "3s" / "1:05" /
 * "1:02:03", the elapsed seconds when the epoch ends, then the time per step
 * in s / ms / us, then " - name: value" for each metric. The step time
 * ignores the first step (which pays for warm-up) once there is a second.
 * On a terminal one line is redrawn in place with '\r'; otherwise only the
 * closing line of each epoch is printed, so logs stay readable.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

#define BAR_WIDTH 20
#define BOLD "\x1b[1m"
#define GREEN "\x1b[32m"
#define WHITE "\x1b[37m"
#define RESET "\x1b[0m"

// ---------------------------------------------------------------------------
// Time

double cli_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

// ---------------------------------------------------------------------------
// A line buffer that never overflows: output is cut, not corrupted.

typedef struct line {
    char s[1024];
    size_t n;
} line;

static void put(line *l, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static void put(line *l, const char *fmt, ...) {
    if (l->n >= sizeof l->s - 1) return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(l->s + l->n, sizeof l->s - l->n, fmt, ap);
    va_end(ap);
    if (k > 0) l->n += (size_t)k;
    if (l->n > sizeof l->s - 1) l->n = sizeof l->s - 1;
}

// Columns on screen: ANSI escapes take none, a UTF-8 character takes one.
static int visible_width(const char *s) {
    int w = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == 0x1b) {
            while (*p && *p != 'm') p++;
            if (!*p) break;
        } else if ((*p & 0xC0) != 0x80) {
            w++;
        }
    }
    return w;
}

// ---------------------------------------------------------------------------
// Formatting, as Keras does it

void cli_format_metric(char *buf, size_t size, float v) {
    if (fabsf(v) > 1e-3f)
        snprintf(buf, size, "%.4f", v);
    else
        snprintf(buf, size, "%.4e", v);
}

static void put_time_per_unit(line *l, double t) {
    if (t >= 1 || t == 0)
        put(l, " %.0fs/step", t);
    else if (t >= 1e-3)
        put(l, " %.0fms/step", t * 1e3);
    else
        put(l, " %.0fus/step", t * 1e6);
}

static void format_eta(char *buf, size_t size, double eta) {
    long s = (long)eta; // Keras formats with %d, which truncates
    if (eta > 3600)
        snprintf(buf, size, "%ld:%02ld:%02ld", s / 3600, (s % 3600) / 60, s % 60);
    else if (eta > 60)
        snprintf(buf, size, "%ld:%02ld", s / 60, s % 60);
    else
        snprintf(buf, size, "%lds", s);
}

// ---------------------------------------------------------------------------
// The bar

void cli_progbar_begin(cli_progbar *pb, int target, int dynamic) {
    const char *no_color = getenv("NO_COLOR");
    memset(pb, 0, sizeof *pb);
    pb->target = target;
    pb->dynamic = dynamic;
    pb->color = dynamic && !(no_color && no_color[0]);
    pb->interval = 0.1;
    pb->start = cli_now();
    pb->after_first = -1;
    pb->last_update = -1e30;
}

// Keras's _estimate_step_duration: the first step is slow (allocation,
// cold caches), so once step 1 has ended later estimates start from there.
static double step_duration(cli_progbar *pb, int current, double now) {
    if (current <= 0) return 0;
    double t;
    if (pb->after_first >= 0 && current > 1)
        t = (now - pb->after_first) / (current - 1);
    else
        t = (now - pb->start) / current;
    if (current == 1) pb->after_first = now;
    return t;
}

static void put_bar(line *l, const cli_progbar *pb, int current) {
    int digits = 1;
    for (int t = pb->target; t >= 10; t /= 10) digits++;
    int done = (int)((double)BAR_WIDTH * current / pb->target);
    if (done > BAR_WIDTH) done = BAR_WIDTH;
    if (done < 0) done = 0;

    put(l, "%s%*d/%d%s ", pb->color ? BOLD : "", digits, current, pb->target,
        pb->color ? RESET : "");
    // Without colour the two halves need different glyphs to be told apart.
    if (pb->color && done > 0) put(l, GREEN);
    for (int i = 0; i < done; i++) put(l, "━");
    if (pb->color) put(l, done > 0 ? RESET WHITE : WHITE);
    for (int i = done; i < BAR_WIDTH; i++) put(l, pb->color ? "━" : "─");
    if (pb->color) put(l, RESET);
}

void cli_progbar_update(cli_progbar *pb, int current, const cli_metric *metrics, int n,
                        int finalize) {
    double now = cli_now();
    double per_step = step_duration(pb, current, now);
    if (!finalize && (!pb->dynamic || now - pb->last_update < pb->interval)) return;
    if (pb->target <= 0) return;

    line l = {.n = 0};
    l.s[0] = '\0';
    if (pb->dynamic) put(&l, "\r");
    put_bar(&l, pb, current);
    if (!finalize) {
        char eta[32];
        format_eta(eta, sizeof eta, per_step * (pb->target - current));
        put(&l, " %s%s%s", pb->color ? BOLD : "", eta, pb->color ? RESET : "");
    } else {
        put(&l, " %s%.0fs%s", pb->color ? BOLD : "", now - pb->start, pb->color ? RESET : "");
    }
    put_time_per_unit(&l, per_step);
    for (int i = 0; i < n; i++) {
        if (isnan(metrics[i].value)) continue;
        char v[32];
        cli_format_metric(v, sizeof v, metrics[i].value);
        put(&l, " - %s: %s", metrics[i].name, v);
    }

    // Blank out what is left of a longer previous line.
    int width = visible_width(pb->dynamic ? l.s + 1 : l.s); // not counting the '\r'
    if (pb->dynamic && pb->live && pb->prev_width > width)
        put(&l, "%*s", pb->prev_width - width, "");
    if (finalize) put(&l, "\n");

    fputs(l.s, stdout);
    fflush(stdout);
    pb->prev_width = width;
    pb->live = pb->dynamic && !finalize;
    pb->last_update = now;
}

void cli_progbar_break(cli_progbar *pb) {
    if (pb->live) {
        fputs("\n", stdout);
        fflush(stdout);
        pb->live = 0;
    }
}
