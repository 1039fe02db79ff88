/*
 * test_idx.c — the IDX reader and datasets.
 *
 * Every fault a student's file can have is built in memory (or written to a
 * small temporary file) and must be refused with the right status and a
 * sentence that names the file and the fault. Native builds read gzipped
 * files (made here with zlib); the wasm build names them. The full MNIST is
 * checked by test_mnist.c.
 */
#include "nn_fixtures.h"
#include "nn_test.h"

#ifdef NN_HAVE_ZLIB
#include <zlib.h>
#endif

static int has(const char *phrase) { return strstr(nn_last_error(), phrase) != NULL; }

// Parse `bytes` expecting failure with `status` and every phrase in the message.
#define EXPECT_FAIL(bytes, len, name, status, ...)                                          \
    do {                                                                                    \
        nn_idx x_;                                                                          \
        int rc_ = nn_idx_parse(bytes, len, name, &x_);                                      \
        CHECK(rc_ == (status), "status %d, expected %d (%s)", rc_, status, nn_last_error()); \
        CHECK(x_.data == NULL && x_.count == 0, "a failed parse leaves out empty");         \
        const char *phrases_[] = {__VA_ARGS__};                                             \
        for (size_t i_ = 0; i_ < sizeof phrases_ / sizeof *phrases_; i_++)                  \
            CHECK(has(phrases_[i_]), "message lacks \"%s\": %s", phrases_[i_],             \
                  nn_last_error());                                                         \
    } while (0)

// ---------------------------------------------------------------------------
// Good files

static void test_parse_good(void) {
    const uint32_t idims[3] = {3, 2, 3};
    uint8_t pixels[18];
    for (int i = 0; i < 18; i++) pixels[i] = (uint8_t)(i * 10);
    size_t ilen, llen;
    uint8_t *ibytes = nn_fix_idx(3, idims, pixels, 18, &ilen);
    const uint32_t ldims[1] = {3};
    const uint8_t lab[3] = {2, 0, 6};
    uint8_t *lbytes = nn_fix_idx(1, ldims, lab, 3, &llen);
    CHECK(ilen == 34 && llen == 11, "fixture sizes %zu %zu", ilen, llen);

    nn_idx images, labels;
    CHECK_OK(nn_idx_parse(ibytes, ilen, "imgs", &images));
    CHECK(images.type == 0x08 && images.ndim == 3, "type %d ndim %d", images.type, images.ndim);
    CHECK(images.dims[0] == 3 && images.dims[1] == 2 && images.dims[2] == 3, "dims %dx%dx%d",
          images.dims[0], images.dims[1], images.dims[2]);
    CHECK(images.count == 18, "count %zu", images.count);
    CHECK(images.data && images.data != ibytes + 16 && memcmp(images.data, pixels, 18) == 0,
          "data copied into an owned buffer");
    CHECK_OK(nn_idx_parse(lbytes, llen, "labs", &labels));
    CHECK(labels.ndim == 1 && labels.dims[0] == 3 && labels.count == 3, "labels shape");
    free(ibytes);
    free(lbytes); // the parsed data must not depend on the input buffer

    nn_dataset d;
    CHECK_OK(nn_dataset_from_idx(&images, &labels, &d));
    CHECK(d.n == 3 && d.rows == 2 && d.cols == 3 && d.features == 6, "dataset %d %dx%d %d",
          d.n, d.rows, d.cols, d.features);
    CHECK(d.n_classes == 7, "n_classes = max label + 1 = 7, got %d", d.n_classes);
    CHECK(d.images[17] == 170 && d.labels[2] == 6, "contents kept");
    CHECK(images.data == NULL && labels.data == NULL, "ownership moved to the dataset");
    nn_idx_free(&images); // emptied structs are safe to free
    nn_idx_free(&labels);
    nn_dataset_free(&d);
    CHECK(d.images == NULL && d.n == 0, "free empties the dataset");
    nn_dataset_free(&d); // twice is harmless
}

// ---------------------------------------------------------------------------
// Bad files

static void test_too_short(void) {
    const uint8_t b[3] = {0, 0, 8};
    EXPECT_FAIL(b, 3, "train-labels-idx1-ubyte", NN_ERR_FORMAT, "train-labels-idx1-ubyte",
                "too short");
    EXPECT_FAIL(b, 0, "empty", NN_ERR_FORMAT, "empty", "0 bytes");
    // Header cut inside the dimensions.
    const uint8_t h[10] = {0, 0, 8, 3, 0, 0, 0, 1, 0, 0};
    EXPECT_FAIL(h, 10, "imgs", NN_ERR_FORMAT, "truncated", "16 bytes", "found 10");
}

static void test_truncated(void) {
    const uint32_t dims[3] = {3, 2, 3};
    size_t len;
    uint8_t *b = nn_fix_idx(3, dims, NULL, 17, &len); // one pixel short
    EXPECT_FAIL(b, len, "train-images-idx3-ubyte", NN_ERR_FORMAT, "train-images-idx3-ubyte",
                "truncated", "34 bytes", "found only 33");
    // Header only, no data at all.
    EXPECT_FAIL(b, 16, "imgs", NN_ERR_FORMAT, "truncated", "found only 16");
    free(b);
}

static void test_trailing_bytes(void) {
    const uint32_t dims[1] = {5};
    size_t len;
    uint8_t *b = nn_fix_idx(1, dims, NULL, 8, &len);
    EXPECT_FAIL(b, len, "labs", NN_ERR_FORMAT, "labs", "3 unexpected bytes", "13 bytes",
                "found 16");
    free(b);
}

static void test_wrong_magic(void) {
    const uint8_t zip[20] = {'P', 'K', 3, 4};
    EXPECT_FAIL(zip, 20, "train-images-idx3-ubyte", NN_ERR_FORMAT,
                "train-images-idx3-ubyte: expected magic 0x00000803, found 0x504b0304",
                "not an IDX file");
    const uint8_t text[12] = "hello world";
    EXPECT_FAIL(text, 12, "t10k-labels-idx1-ubyte", NN_ERR_FORMAT,
                "expected magic 0x00000801, found 0x68656c6c");
    // Element type float (0x0d) and a 2-D file: a real IDX, but not one we read.
    const uint8_t f32[12] = {0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0};
    EXPECT_FAIL(f32, 12, "x", NN_ERR_FORMAT, "found 0x00000d01", "0x0d",
                "only unsigned bytes");
    const uint8_t two[16] = {0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3, 4};
    EXPECT_FAIL(two, 16, "x", NN_ERR_FORMAT, "2 dimensions");
}

#ifdef NN_HAVE_ZLIB
// `len` bytes gzipped as gzip(1) writes them, in a malloc'd buffer.
static uint8_t *gzip_of(const uint8_t *in, size_t len, size_t *out_len) {
    z_stream z;
    memset(&z, 0, sizeof z);
    deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    size_t cap = deflateBound(&z, (uLong)len);
    uint8_t *out = malloc(cap);
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)len;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    deflate(&z, Z_FINISH);
    *out_len = cap - z.avail_out;
    deflateEnd(&z);
    return out;
}

// A .gz file is unpacked, then checked like any IDX file.
static void test_gzipped(void) {
    const uint32_t dims[3] = {40, 7, 9};
    size_t len, glen;
    uint8_t *raw = nn_fix_idx(3, dims, NULL, 40 * 63, &len);
    uint8_t *gz = gzip_of(raw, len, &glen);
    CHECK(glen < len && gz[0] == 0x1f, "the fixture is gzipped (%zu of %zu bytes)", glen, len);
    nn_idx x;
    CHECK_OK(nn_idx_parse(gz, glen, "train-images-idx3-ubyte.gz", &x));
    CHECK(x.ndim == 3 && x.dims[0] == 40 && x.count == 40 * 63 && memcmp(x.data, raw + 16, x.count) == 0,
          "the unpacked data is the file's");
    nn_idx_free(&x);

    // Two members one after the other (cat a.gz b.gz) are one file.
    size_t half = len / 2, g1, g2;
    uint8_t *a = gzip_of(raw, half, &g1), *b = gzip_of(raw + half, len - half, &g2);
    uint8_t *ab = malloc(g1 + g2);
    memcpy(ab, a, g1);
    memcpy(ab + g1, b, g2);
    CHECK_OK(nn_idx_parse(ab, g1 + g2, "two-members.gz", &x));
    CHECK(x.count == 40 * 63 && memcmp(x.data, raw + 16, x.count) == 0, "two members make the file");
    nn_idx_free(&x);

    // The unpacked file is still checked: a short IDX inside a good .gz.
    uint8_t *short_gz = gzip_of(raw, len - 5, &g1);
    EXPECT_FAIL(short_gz, g1, "short.gz", NN_ERR_FORMAT, "short.gz: the file is truncated");
    // A cut-off download: every prefix is refused with a sentence, never read past.
    int refused = 0, named = 0;
    for (size_t cut = 2; cut < glen; cut++) {
        uint8_t *prefix = malloc(cut); // exact size, so an over-read shows under ASan
        memcpy(prefix, gz, cut);
        int rc = nn_idx_parse(prefix, cut, "cut.gz", &x);
        refused += rc == NN_ERR_FORMAT && x.data == NULL;
        named += has("cut.gz: the gzip data is truncated");
        free(prefix);
    }
    CHECK(refused == (int)glen - 2, "every prefix refused (%d of %zu)", refused, glen - 2);
    CHECK(named > (int)glen / 2, "most prefixes say truncated (%d of %zu): %s", named, glen - 2,
          nn_last_error());
    // Damage inside the compressed stream or its checksum.
    gz[glen / 2] ^= 0x55;
    EXPECT_FAIL(gz, glen, "bad.gz", NN_ERR_FORMAT, "bad.gz: the gzip data is corrupt");
    gz[glen / 2] ^= 0x55;
    gz[glen - 6] ^= 0x01; // CRC-32 of the trailer
    EXPECT_FAIL(gz, glen, "bad.gz", NN_ERR_FORMAT, "bad.gz: the gzip data is corrupt", "download it again");
    gz[glen - 6] ^= 0x01;
    // Bytes after the end that are not another member.
    uint8_t *tail = malloc(glen + 3);
    memcpy(tail, gz, glen);
    memcpy(tail + glen, "xyz", 3);
    EXPECT_FAIL(tail, glen + 3, "tail.gz", NN_ERR_FORMAT, "tail.gz: 3 unexpected bytes after the end of the gzip data");
    // A gzipped file inside the gzip is unpacked only once.
    uint8_t *twice = gzip_of(gz, glen, &g2);
    EXPECT_FAIL(twice, g2, "twice.gz", NN_ERR_FORMAT, "is the file still gzipped?");
    free(raw), free(gz), free(a), free(b), free(ab), free(short_gz), free(tail), free(twice);
}
#else
static void test_gzipped(void) {
    // The first bytes of train-images-idx3-ubyte.gz as downloaded.
    const uint8_t gz[24] = {0x1f, 0x8b, 0x08, 0x08, 0x60, 0x4a, 0x8a, 0x50, 0x00, 0x03};
    EXPECT_FAIL(gz, sizeof gz, "train-images-idx3-ubyte", NN_ERR_FORMAT,
                "train-images-idx3-ubyte: expected magic 0x00000803, found 0x1f8b0808 — is the "
                "file still gzipped?");
}
#endif

static void test_zero_counts(void) {
    const uint32_t zi[3] = {0, 28, 28}, zr[3] = {10, 0, 28}, zl[1] = {0};
    size_t len;
    uint8_t *b = nn_fix_idx(3, zi, NULL, 0, &len);
    EXPECT_FAIL(b, len, "imgs", NN_ERR_FORMAT, "imgs", "contains zero images");
    free(b);
    b = nn_fix_idx(3, zr, NULL, 0, &len);
    EXPECT_FAIL(b, len, "imgs", NN_ERR_FORMAT, "zero rows");
    free(b);
    b = nn_fix_idx(1, zl, NULL, 0, &len);
    EXPECT_FAIL(b, len, "labs", NN_ERR_FORMAT, "contains zero labels");
    free(b);
}

static void test_huge_dimensions(void) {
    size_t len;
    // 2^32-1 cubed overflows 64 bits when multiplied naively.
    const uint32_t max3[3] = {0xffffffffu, 0xffffffffu, 0xffffffffu};
    uint8_t *b = nn_fix_idx(3, max3, NULL, 4, &len);
    EXPECT_FAIL(b, len, "imgs", NN_ERR_FORMAT, "imgs", "4294967295 x 4294967295 x 4294967295",
                "corrupt");
    free(b);
    // 65536 x 65536 x 1 is 2^32: it wraps to 0 in 32-bit arithmetic (wasm's
    // size_t), where a header-only file would then look complete.
    const uint32_t wrap[3] = {65536, 65536, 1};
    b = nn_fix_idx(3, wrap, NULL, 0, &len);
    EXPECT_FAIL(b, len, "imgs", NN_ERR_FORMAT, "65536 x 65536 x 1", "corrupt");
    free(b);
    const uint32_t many[1] = {0x80000000u};
    b = nn_fix_idx(1, many, NULL, 0, &len);
    EXPECT_FAIL(b, len, "labs", NN_ERR_FORMAT, "2147483648 labels", "corrupt");
    free(b);
}

static void test_count_mismatch(void) {
    const uint32_t idims[3] = {4, 2, 2}, ldims[1] = {3};
    size_t ilen, llen;
    uint8_t *ib = nn_fix_idx(3, idims, NULL, 16, &ilen);
    uint8_t *lb = nn_fix_idx(1, ldims, NULL, 3, &llen);
    nn_idx images, labels;
    CHECK_OK(nn_idx_parse(ib, ilen, "i", &images));
    CHECK_OK(nn_idx_parse(lb, llen, "l", &labels));
    nn_dataset d;
    CHECK(nn_dataset_from_idx(&images, &labels, &d) == NN_ERR_FORMAT, "count mismatch refused");
    CHECK(has("has 4 images but") && has("has 3 labels"), "message: %s", nn_last_error());
    CHECK(images.data != NULL && labels.data != NULL, "on failure the caller keeps ownership");
    nn_idx_free(&images);
    nn_idx_free(&labels);
    free(ib);
    free(lb);
}

static void test_swapped_files(void) {
    const uint32_t idims[3] = {3, 2, 2}, ldims[1] = {3};
    size_t ilen, llen;
    uint8_t *ib = nn_fix_idx(3, idims, NULL, 12, &ilen);
    uint8_t *lb = nn_fix_idx(1, ldims, NULL, 3, &llen);
    nn_idx images, labels;
    CHECK_OK(nn_idx_parse(ib, ilen, "i", &images));
    CHECK_OK(nn_idx_parse(lb, llen, "l", &labels));
    nn_dataset d;
    // Labels given where images are expected.
    CHECK(nn_dataset_from_idx(&labels, &labels, &d) == NN_ERR_FORMAT, "labels as images");
    CHECK(has("expected images with 3 dimensions") && has("labels file"), "message: %s",
          nn_last_error());
    CHECK(nn_dataset_from_idx(&images, &images, &d) == NN_ERR_FORMAT, "images as labels");
    CHECK(has("expected labels with 1 dimension") && has("images file"), "message: %s",
          nn_last_error());

    // The same through files on disk: the message names the path.
    CHECK(nn_fix_write("./nnswap-images-idx3-ubyte", lb, llen) == 0, "write fixture");
    CHECK(nn_fix_write("./nnswap-labels-idx1-ubyte", ib, ilen) == 0, "write fixture");
    nn_dataset before;
    memset(&d, 0x5a, sizeof d);
    before = d;
    CHECK(nn_dataset_load_mnist(".", "nnswap", &d) == NN_ERR_FORMAT, "swapped files refused");
    CHECK(has("./nnswap-images-idx3-ubyte") && has("labels file"), "message: %s",
          nn_last_error());
    CHECK(memcmp(&d, &before, sizeof d) == 0, "a failed load leaves the caller's dataset as it was");
    remove("./nnswap-images-idx3-ubyte");
    remove("./nnswap-labels-idx1-ubyte");
    nn_idx_free(&images);
    nn_idx_free(&labels);
    free(ib);
    free(lb);
}

// ---------------------------------------------------------------------------
// Files on disk

static void test_load_files(void) {
    nn_idx x;
    CHECK(nn_idx_load("./no-such-dir/train-images-idx3-ubyte", &x) == NN_ERR_IO, "missing file");
    CHECK(has("./no-such-dir/train-images-idx3-ubyte"), "names the path: %s", nn_last_error());

    const uint32_t idims[3] = {5, 3, 4}, ldims[1] = {5};
    const uint8_t lab[5] = {1, 0, 3, 3, 2};
    size_t ilen, llen;
    uint8_t *ib = nn_fix_idx(3, idims, NULL, 60, &ilen);
    uint8_t *lb = nn_fix_idx(1, ldims, lab, 5, &llen);
    CHECK(nn_fix_write("./nntest-images-idx3-ubyte", ib, ilen) == 0, "write fixture");
    CHECK(nn_fix_write("./nntest-labels-idx1-ubyte", lb, llen) == 0, "write fixture");

    CHECK_OK(nn_idx_load("./nntest-images-idx3-ubyte", &x));
    CHECK(x.count == 60 && x.dims[2] == 4 && memcmp(x.data, ib + 16, 60) == 0,
          "loaded data equals the file's");
    nn_idx_free(&x);
    CHECK(x.data == NULL, "freed");

    nn_dataset d;
    CHECK_OK(nn_dataset_load_mnist(".", "nntest", &d));
    CHECK(d.n == 5 && d.rows == 3 && d.cols == 4 && d.features == 12 && d.n_classes == 4,
          "dataset %d %dx%d classes %d", d.n, d.rows, d.cols, d.n_classes);
    CHECK(d.labels[0] == 1 && d.labels[4] == 2 && d.images[59] == ib[16 + 59], "contents");
    nn_dataset_free(&d);
    CHECK_OK(nn_dataset_load_mnist("./", "nntest", &d)); // a trailing slash is fine
    nn_dataset_free(&d);

    // A damaged file on disk is named by its path.
    CHECK(nn_fix_write("./nntest-labels-idx1-ubyte", lb, llen - 1) == 0, "write fixture");
    CHECK(nn_dataset_load_mnist(".", "nntest", &d) == NN_ERR_FORMAT, "truncated labels");
    CHECK(has("./nntest-labels-idx1-ubyte: the file is truncated"), "message: %s",
          nn_last_error());
    remove("./nntest-images-idx3-ubyte");
    remove("./nntest-labels-idx1-ubyte");

#ifdef NN_HAVE_ZLIB
    // A directory of .gz files only, as MNIST is downloaded: read as they are,
    // and the messages name the .gz.
    size_t gi, gl;
    uint8_t *gzi = gzip_of(ib, ilen, &gi), *gzl = gzip_of(lb, llen, &gl);
    CHECK(nn_fix_write("./nngz-images-idx3-ubyte.gz", gzi, gi) == 0, "write fixture");
    CHECK(nn_fix_write("./nngz-labels-idx1-ubyte.gz", gzl, gl - 1) == 0, "write fixture");
    CHECK(nn_dataset_load_mnist(".", "nngz", &d) == NN_ERR_FORMAT &&
              has("./nngz-labels-idx1-ubyte.gz: the gzip data is truncated"),
          "a cut .gz is named: %s", nn_last_error());
    CHECK(nn_fix_write("./nngz-labels-idx1-ubyte.gz", gzl, gl) == 0, "write fixture");
    CHECK_OK(nn_dataset_load_mnist(".", "nngz", &d));
    CHECK(d.n == 5 && d.features == 12 && d.labels[4] == 2 && d.images[59] == ib[16 + 59], "gz contents");
    nn_dataset_free(&d);
    char path[64];
    CHECK(strcmp(nn_idx_path("./nngz-images-idx3-ubyte", path, sizeof path), "./nngz-images-idx3-ubyte.gz") == 0,
          "nn_idx_path finds the .gz: %s", path);
    CHECK(strcmp(nn_idx_path("./none-idx3-ubyte", path, sizeof path), "./none-idx3-ubyte") == 0,
          "and keeps a missing path: %s", path);
    remove("./nngz-labels-idx1-ubyte.gz");
    free(gzi), free(gzl);
#else
    // Only the .gz is there and this build cannot read it: say to unpack it.
    CHECK(nn_fix_write("./nngz-images-idx3-ubyte.gz", ib, 4) == 0, "write fixture");
    CHECK(nn_dataset_load_mnist(".", "nngz", &d) == NN_ERR_IO, "missing unpacked file");
    CHECK(has("nngz-images-idx3-ubyte.gz exists") && has("gunzip"), "message: %s",
          nn_last_error());
#endif
    remove("./nngz-images-idx3-ubyte.gz");
    free(ib);
    free(lb);
}

// ---------------------------------------------------------------------------
// Gather and slice

static void make_dataset(nn_dataset *d) {
    // 4 samples of 3 pixels; pixel values chosen to test the scaling exactly.
    static const uint8_t px[12] = {0, 255, 51, 1, 2, 3, 128, 64, 32, 255, 255, 0};
    static const uint8_t lab[4] = {9, 1, 2, 3};
    memset(d, 0, sizeof *d);
    d->n = 4;
    d->rows = 1;
    d->cols = 3;
    d->features = 3;
    d->n_classes = 10;
    d->images = malloc(12);
    d->labels = malloc(4);
    memcpy(d->images, px, 12);
    memcpy(d->labels, lab, 4);
}

static void test_gather(void) {
    nn_dataset d;
    make_dataset(&d);
    float x[9];
    uint8_t lab[3] = {77, 77, 77};
    const int32_t idx[3] = {3, 0, 3};
    nn_dataset_gather(&d, idx, 3, x, lab);
    CHECK(x[0] == 1.0f && x[1] == 1.0f && x[2] == 0.0f, "255 scales to exactly 1.0: %g %g %g",
          x[0], x[1], x[2]);
    CHECK(x[3] == 0.0f && x[4] == 1.0f && x[5] == 51.0f / 255.0f, "sample 0: %g %g %g", x[3],
          x[4], x[5]);
    CHECK_NEAR(x[5], 0.2, 1e-7, "51/255 = 0.2, got %.9g", x[5]);
    CHECK(lab[0] == 3 && lab[1] == 9 && lab[2] == 3, "labels gathered: %d %d %d", lab[0], lab[1],
          lab[2]);

    // idx NULL: consecutive from 0; labels NULL: not written.
    float y[6];
    nn_dataset_gather(&d, NULL, 2, y, NULL);
    CHECK(y[1] == 1.0f && y[3] == 1.0f / 255.0f && y[5] == 3.0f / 255.0f, "consecutive: %g %g",
          y[3], y[5]);
    nn_dataset_free(&d);
}

static void test_slice(void) {
    nn_dataset d, s;
    make_dataset(&d);
    CHECK_OK(nn_dataset_slice(&d, 1, 2, &s));
    CHECK(s.n == 2 && s.features == 3 && s.rows == 1 && s.cols == 3, "slice shape n=%d", s.n);
    CHECK(s.n_classes == 10, "keeps the source's class count, got %d", s.n_classes);
    CHECK(s.labels[0] == 1 && s.labels[1] == 2, "labels of samples 1, 2");
    CHECK(s.images[0] == 1 && s.images[5] == 32, "pixels of samples 1, 2");
    CHECK(s.images != d.images + 3, "a copy, not a view");
    s.images[0] = 99;
    CHECK(d.images[3] == 1, "the source is untouched");
    nn_dataset_free(&s);

    CHECK_OK(nn_dataset_slice(&d, 4, 0, &s)); // empty slice at the end
    CHECK(s.n == 0, "empty slice");
    nn_dataset_free(&s);
    CHECK(nn_dataset_slice(&d, 3, 2, &s) == NN_ERR_ARG, "past the end refused");
    CHECK(has("[3, 5)") && has("4 samples"), "message: %s", nn_last_error());
    CHECK(nn_dataset_slice(&d, -1, 1, &s) == NN_ERR_ARG, "negative start refused");
    CHECK(nn_dataset_slice(&d, 0, 0x7fffffff, &s) == NN_ERR_ARG, "huge count refused");
    nn_dataset_free(&d);
}

int main(void) {
    RUN(test_parse_good);
    RUN(test_too_short);
    RUN(test_truncated);
    RUN(test_trailing_bytes);
    RUN(test_wrong_magic);
    RUN(test_gzipped);
    RUN(test_zero_counts);
    RUN(test_huge_dimensions);
    RUN(test_count_mismatch);
    RUN(test_swapped_files);
    RUN(test_load_files);
    RUN(test_gather);
    RUN(test_slice);
    return nn_test_report();
}
