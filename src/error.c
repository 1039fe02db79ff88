/*
 * error.c — the last error: a sentence, and the reason it was made from.
 *
 * The library never prints: a failing function records why here and returns
 * a negative nn_status; the CLI shows the sentence, the page translates the
 * reason (src/reasons.h): its key and its params as a JSON object.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "reasons.h"

#if defined(__EMSCRIPTEN__)
#define NN_THREAD_LOCAL // single-threaded in the browser worker
#else
#define NN_THREAD_LOCAL _Thread_local
#endif

#define SENTENCE_BYTES 512
#define PARAMS_BYTES 2048

static NN_THREAD_LOCAL char last_error[SENTENCE_BYTES];
static NN_THREAD_LOCAL nn_reason last_reason;
static NN_THREAD_LOCAL char last_params[PARAMS_BYTES] = "{}";

static const struct {
    const char *key, *text;
} reasons[NN_REASON_COUNT] = {
    [NN_R_NONE] = {"", ""},
#define NN_REASON_ENTRY(id, key, text) [id] = {key, text},
    NN_REASONS(NN_REASON_ENTRY)
};

const char *nn_reason_key(nn_reason r) { return (unsigned)r < NN_REASON_COUNT ? reasons[r].key : ""; }

const char *nn_reason_template(nn_reason r) { return (unsigned)r < NN_REASON_COUNT ? reasons[r].text : ""; }

const char *nn_last_error(void) { return last_error; }

const char *nn_last_reason(void) { return reasons[last_reason].key; }

const char *nn_last_reason_params(void) { return last_params; }

void nn_clear_error(void) {
    last_error[0] = '\0';
    last_reason = NN_R_NONE;
    strcpy(last_params, "{}");
}

// A sentence without a reason (the CLI's own): the page shows it as it is.
int nn_set_error(int status, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    last_reason = NN_R_NONE;
    strcpy(last_params, "{}");
    return status;
}

// ---------------------------------------------------------------------------
// Building the sentence and the JSON

// Appends to a fixed buffer; `full` once something did not fit (the text is
// then cut, and the JSON is not used).
typedef struct {
    char *p;
    size_t size, len;
    int full;
} text_buf;

static void put(text_buf *b, const char *s, size_t n) {
    if (b->len + n >= b->size) {
        n = b->len < b->size ? b->size - 1 - b->len : 0;
        b->full = 1;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void put_str(text_buf *b, const char *s) { put(b, s, strlen(s)); }

// s as a JSON string: quotes, backslashes and control characters escaped
// (a file name can hold any of them); other bytes, UTF-8 included, as they are.
static void put_json_string(text_buf *b, const char *s) {
    put(b, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        char esc[8];
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            put(b, esc, 2);
        } else if (c < 0x20) {
            snprintf(esc, sizeof esc, "\\u%04x", c);
            put(b, esc, 6);
        } else {
            put(b, (const char *)&c, 1);
        }
    }
    put(b, "\"", 1);
}

// The value of a number or text param as the sentence shows it.
static const char *arg_text(const nn_arg *a, char *buf, size_t size) {
    switch (a->type) {
    case NN_ARG_STR: return a->v.s ? a->v.s : "";
    case NN_ARG_INT: snprintf(buf, size, a->fmt, a->v.i); return buf;
    case NN_ARG_UINT: snprintf(buf, size, a->fmt, a->v.u); return buf;
    case NN_ARG_DOUBLE: snprintf(buf, size, a->fmt, a->v.d); return buf;
    case NN_ARG_TERM: return nn_reason_template((nn_reason)a->v.r);
    default: return "";
    }
}

static const nn_arg *find_arg(const nn_arg *args, int n, const char *name, size_t len) {
    for (int i = 0; i < n; i++)
        if (args[i].name && strlen(args[i].name) == len && memcmp(args[i].name, name, len) == 0) return &args[i];
    return NULL;
}

// The previous error, which an NN_WHY param puts inside this one.
typedef struct {
    char sentence[SENTENCE_BYTES];
    nn_reason reason;
    char params[PARAMS_BYTES];
} saved_error;

int nn_fail_args(int status, nn_reason reason, const nn_arg *args, int n) {
    static NN_THREAD_LOCAL saved_error before; // static: 2.5 KB is a lot of a wasm stack
    memcpy(before.sentence, last_error, sizeof before.sentence);
    before.reason = last_reason;
    memcpy(before.params, last_params, sizeof before.params);

    // The sentence: the template with each {name} filled.
    text_buf s = {last_error, sizeof last_error, 0, 0};
    last_error[0] = '\0';
    const char *t = nn_reason_template(reason);
    while (*t) {
        const char *open = strchr(t, '{');
        const char *close = open ? strchr(open, '}') : NULL;
        if (!close) {
            put_str(&s, t);
            break;
        }
        put(&s, t, (size_t)(open - t));
        const nn_arg *a = find_arg(args, n, open + 1, (size_t)(close - open - 1));
        char num[64];
        if (!a) put(&s, open, (size_t)(close - open + 1)); // a bug: tests/node/reasons.test.mjs looks for it
        else put_str(&s, a->type == NN_ARG_WHY ? before.sentence : arg_text(a, num, sizeof num));
        t = close + 1;
    }

    // The params: {"name": "text", "term": {"reason": key, "params": {}}, "why": {"reason": ..., "params": ...}}.
    static NN_THREAD_LOCAL char json[PARAMS_BYTES];
    text_buf j = {json, sizeof json, 0, 0};
    put(&j, "{", 1);
    for (int i = 0; i < n; i++) {
        const nn_arg *a = &args[i];
        char num[64];
        if (i) put(&j, ",", 1);
        put_json_string(&j, a->name ? a->name : "");
        put(&j, ":", 1);
        if (a->type == NN_ARG_TERM) {
            put_str(&j, "{\"reason\":");
            put_json_string(&j, nn_reason_key((nn_reason)a->v.r));
            put_str(&j, ",\"params\":{}}");
        } else if (a->type == NN_ARG_WHY && before.reason != NN_R_NONE) {
            put_str(&j, "{\"reason\":");
            put_json_string(&j, nn_reason_key(before.reason));
            put_str(&j, ",\"params\":");
            put_str(&j, before.params);
            put_str(&j, "}");
        } else {
            // (an error without a reason inside this one: its sentence, as text)
            put_json_string(&j, a->type == NN_ARG_WHY ? before.sentence : arg_text(a, num, sizeof num));
        }
    }
    put(&j, "}", 1);
    // Params that did not fit would be broken JSON: the page then shows the English sentence.
    last_reason = j.full ? NN_R_NONE : reason;
    memcpy(last_params, j.full ? "{}" : json, j.full ? 3 : j.len + 1);
    return status;
}

int nn_unknown_name(nn_reason reason, const char *name, const char *const *choices, int n) {
    char list[400];
    size_t used = 0;
    list[0] = '\0';
    for (int i = 0; i < n && used < sizeof list; i++) {
        int k = snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", choices[i]);
        if (k < 0) break;
        used += (size_t)k;
    }
    nn_fail(NN_ERR_ARG, reason, NN_S("name", name ? name : ""), NN_S("choices", list));
    return -1;
}
