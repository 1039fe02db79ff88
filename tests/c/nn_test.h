/*
 * nn_test.h — the tiny test runner every tests/c/test_*.c includes.
 *
 * CHECK records a failure with file:line and a message and carries on;
 * main() returns non-zero if anything failed, so CTest (native, and wasm
 * under Node) reports the binary as failed. A test that cannot run here
 * (its data is missing) returns nn_test_skip(reason): exit status 77, which
 * CTest reports as "Skipped" (SKIP_RETURN_CODE), never as passed.
 */
#ifndef NN_TEST_H
#define NN_TEST_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nnlab.h"

static int nn_test_failures = 0;
static int nn_test_checks = 0;

#define CHECK(cond, ...)                                                                   \
    do {                                                                                   \
        nn_test_checks++;                                                                  \
        if (!(cond)) {                                                                     \
            nn_test_failures++;                                                            \
            fprintf(stderr, "%s:%d: FAILED: %s: ", __FILE__, __LINE__, #cond);             \
            fprintf(stderr, __VA_ARGS__);                                                  \
            fprintf(stderr, "\n");                                                         \
        }                                                                                  \
    } while (0)

#define CHECK_OK(expr)                                                                     \
    do {                                                                                   \
        int nn_rc_ = (expr);                                                               \
        CHECK(nn_rc_ == NN_OK, "%s returned %d: %s", #expr, nn_rc_, nn_last_error());       \
    } while (0)

#define CHECK_NEAR(a, b, tol, ...)                                                         \
    CHECK(fabs((double)(a) - (double)(b)) <= (tol), __VA_ARGS__)

#define RUN(test)                                                                          \
    do {                                                                                   \
        int before_ = nn_test_failures;                                                    \
        test();                                                                            \
        printf("%s %s\n", nn_test_failures == before_ ? "ok  " : "FAIL", #test);           \
    } while (0)

#define NN_TEST_SKIP 77

static inline int nn_test_skip(const char *reason) {
    printf("skip: %s\n", reason);
    return NN_TEST_SKIP;
}

static inline int nn_test_report(void) {
    printf("%d checks, %d failed\n", nn_test_checks, nn_test_failures);
    return nn_test_failures ? 1 : 0;
}

#endif
