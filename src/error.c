/*
 * error.c — the last error as a sentence.
 *
 * The library never prints: a failing function stores a sentence here and
 * returns a negative nn_status; the CLI or the page shows the sentence.
 */
#include <stdarg.h>
#include <stdio.h>

#include "nnlab.h"

#if defined(__EMSCRIPTEN__)
#define NN_THREAD_LOCAL // single-threaded in the browser worker
#else
#define NN_THREAD_LOCAL _Thread_local
#endif

static NN_THREAD_LOCAL char last_error[512];

const char *nn_last_error(void) { return last_error; }

void nn_clear_error(void) { last_error[0] = '\0'; }

int nn_unknown_name(const char *what, const char *name, const char *const *choices, int n) {
    char list[400];
    size_t used = 0;
    list[0] = '\0';
    for (int i = 0; i < n && used < sizeof list; i++) {
        int k = snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", choices[i]);
        if (k < 0) break;
        used += (size_t)k;
    }
    nn_set_error(NN_ERR_ARG, "unknown %s '%s' (choose from %s)", what, name ? name : "", list);
    return -1;
}

int nn_set_error(int status, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    return status;
}
