/*
 * idx.c — IDX files (the MNIST format) and in-memory datasets.
 *
 * An IDX file is a big-endian header — two zero bytes, an element-type byte
 * (0x08, unsigned byte, is the only one MNIST uses), a dimension count — then
 * one u32 size per dimension and the raw elements. Images are (n, rows, cols),
 * labels are (n). Files come from the internet and from students' disks, so
 * every header field is checked before it is trusted: sizes are multiplied in
 * 64 bits with a ceiling, and the file length must match the header exactly,
 * before anything is allocated. Each refusal names the file and says what was
 * wrong in a sentence, because the usual faults (a file still gzipped, a
 * truncated download, images and labels swapped) are easy to fix once named.
 *
 * MNIST and Fashion-MNIST are distributed gzipped. Native builds read .gz
 * files as they are, with zlib (NN_HAVE_ZLIB): the bytes are unpacked first
 * and then checked like any IDX file, so every sentence above still holds,
 * naming the .gz. The wasm build has no zlib (the page unpacks with the
 * browser's DecompressionStream), and there a gzipped file gets the "is the
 * file still gzipped?" sentence.
 *
 * Datasets keep pixels as uint8 (a quarter of the memory of float) and are
 * scaled to [0, 1] one batch at a time by nn_dataset_gather.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reasons.h"

#ifdef NN_HAVE_ZLIB
#include <zlib.h>
#endif

// ---------------------------------------------------------------------------
// IDX header

#define IDX_TYPE_U8 0x08
// A ceiling on elements: anything larger is a corrupt header, and it keeps
// every size (including rows * cols) inside an int on 32-bit wasm.
#define IDX_MAX_ELEMENTS ((uint64_t)INT_MAX)

static uint32_t read_be32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

// gzip's magic: 1f 8b.
static int is_gzip(const uint8_t *bytes, size_t len) {
    return len >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;
}

// What a file of this name should start with, for the "expected magic"
// sentence: the param `param` (both magics and what they mean: a term).
static nn_arg expected_magic(const char *param, const char *name) {
    if (strstr(name, "label")) return NN_S(param, "0x00000801");
    if (strstr(name, "image")) return NN_S(param, "0x00000803");
    return NN_TERM(param, NN_R_TERM_EITHER_MAGIC);
}

static void dims_text(const nn_idx *x, char *buf, size_t size) {
    if (x->ndim == 1)
        snprintf(buf, size, "%d", x->dims[0]);
    else
        snprintf(buf, size, "%dx%dx%d", x->dims[0], x->dims[1], x->dims[2]);
}

// Validate the header of `bytes` and fill everything in *out except data.
// Returns the header length (> 0) or a negative status.
static int parse_header(const uint8_t *bytes, size_t len, const char *name, nn_idx *out) {
    if (len < 4)
        return nn_fail(NN_ERR_FORMAT, NN_R_IDX_SHORT, NN_S("name", name), NN_U("len", len));
    uint32_t magic = read_be32(bytes);
    if (is_gzip(bytes, len)) // only reached without zlib, or for a file gzipped twice
        return nn_fail(NN_ERR_FORMAT, NN_R_IDX_GZIPPED, NN_S("name", name), expected_magic("want", name),
                       NN_X("got", "0x%08llx", magic));
    if (bytes[0] != 0 || bytes[1] != 0)
        return nn_fail(NN_ERR_FORMAT, NN_R_IDX_NOT_IDX, NN_S("name", name), expected_magic("want", name),
                       NN_X("got", "0x%08llx", magic));
    if (bytes[2] != IDX_TYPE_U8)
        return nn_fail(NN_ERR_FORMAT, NN_R_IDX_TYPE, NN_S("name", name), expected_magic("want", name),
                       NN_X("got", "0x%08llx", magic), NN_X("type", "0x%02llx", bytes[2]));
    int ndim = bytes[3];
    if (ndim != 1 && ndim != 3)
        return nn_fail(NN_ERR_FORMAT, NN_R_IDX_NDIM, NN_S("name", name), expected_magic("want", name),
                       NN_X("got", "0x%08llx", magic), NN_I("ndim", ndim));

    size_t header = 4 + 4 * (size_t)ndim;
    if (len < header)
        return nn_fail(NN_ERR_FORMAT, NN_R_IDX_HEADER_TRUNCATED, NN_S("name", name), NN_U("need", header),
                       NN_U("len", len));

    uint32_t d[3] = {0, 0, 0};
    uint64_t count = 1;
    for (int i = 0; i < ndim; i++) {
        d[i] = read_be32(bytes + 4 + 4 * i);
        if (d[i] == 0) {
            if (i == 0)
                return nn_fail(NN_ERR_FORMAT, ndim == 3 ? NN_R_IDX_ZERO_IMAGES : NN_R_IDX_ZERO_LABELS,
                               NN_S("name", name));
            return nn_fail(NN_ERR_FORMAT, i == 1 ? NN_R_IDX_ZERO_ROWS : NN_R_IDX_ZERO_COLUMNS, NN_S("name", name));
        }
        // count * d[i] stays below 2^63 because count <= IDX_MAX_ELEMENTS < 2^31 here.
        count *= d[i];
        if (count > IDX_MAX_ELEMENTS) {
            if (ndim == 1)
                return nn_fail(NN_ERR_FORMAT, NN_R_IDX_TOO_MANY_LABELS, NN_S("name", name), NN_U("n", d[0]),
                               NN_I("max", INT_MAX));
            return nn_fail(NN_ERR_FORMAT, NN_R_IDX_TOO_MANY_PIXELS, NN_S("name", name), NN_U("n", d[0]),
                           NN_U("rows", read_be32(bytes + 8)), NN_U("cols", read_be32(bytes + 12)),
                           NN_I("max", INT_MAX));
        }
    }

    uint64_t expected = (uint64_t)header + count;
    if ((uint64_t)len < expected)
        return nn_fail(NN_ERR_FORMAT, NN_R_IDX_TRUNCATED, NN_S("name", name), NN_U("want", expected),
                       NN_U("header", header), NN_U("count", count), NN_U("len", len));
    if ((uint64_t)len > expected)
        return nn_fail(NN_ERR_FORMAT, NN_R_IDX_EXTRA, NN_S("name", name), NN_U("extra", (uint64_t)len - expected),
                       NN_TERM("bytes", (uint64_t)len - expected == 1 ? NN_R_TERM_BYTE : NN_R_TERM_BYTES),
                       NN_U("want", expected), NN_U("len", len));

    memset(out, 0, sizeof *out);
    out->type = IDX_TYPE_U8;
    out->ndim = ndim;
    for (int i = 0; i < 3; i++) out->dims[i] = (int)d[i];
    out->count = (size_t)count;
    return (int)header;
}

// ---------------------------------------------------------------------------
// gzip

#define NN_MAX_FILE_BYTES ((size_t)1 << 31) // 2 GiB: no valid IDX file is larger

#ifdef NN_HAVE_ZLIB
// Unpack a whole .gz file (one or more members, as `cat a.gz b.gz` makes)
// into a malloc'd buffer. The first guess at the size is the last member's
// trailer (ISIZE, the length mod 2^32), capped by deflate's largest ratio
// (1032:1) so a damaged trailer cannot ask for gigabytes; the buffer grows
// when the guess was short.
static int gunzip(const uint8_t *in, size_t len, const char *name, uint8_t **out, size_t *out_len) {
    if (len > NN_MAX_FILE_BYTES) return nn_fail(NN_ERR_FORMAT, NN_R_IDX_TOO_LARGE, NN_S("name", name));
    size_t guess = len >= 18 ? (size_t)in[len - 4] | (size_t)in[len - 3] << 8 | (size_t)in[len - 2] << 16 |
                                   (size_t)in[len - 1] << 24
                             : 0;
    if (guess > len * 1032) guess = len * 1032;
    size_t cap = guess < 4096 ? 4096 : guess + 1;
    if (cap > NN_MAX_FILE_BYTES + 1) cap = NN_MAX_FILE_BYTES + 1;
    uint8_t *buf = malloc(cap);
    z_stream z;
    memset(&z, 0, sizeof z);
    if (!buf || inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) { // 16: gzip wrapper only
        free(buf);
        return nn_fail(NN_ERR_NOMEM, NN_R_GZIP_NOMEM, NN_S("name", name));
    }
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)len;
    size_t n = 0;
    int rc = NN_OK;
    for (;;) {
        if (n == cap) {
            if (cap > NN_MAX_FILE_BYTES) {
                rc = nn_fail(NN_ERR_FORMAT, NN_R_GZIP_TOO_LARGE, NN_S("name", name));
                break;
            }
            size_t grown_cap = cap * 2 > NN_MAX_FILE_BYTES + 1 ? NN_MAX_FILE_BYTES + 1 : cap * 2;
            uint8_t *grown = realloc(buf, grown_cap);
            if (!grown) {
                rc = nn_fail(NN_ERR_NOMEM, NN_R_GZIP_NOMEM, NN_S("name", name));
                break;
            }
            buf = grown;
            cap = grown_cap;
        }
        z.next_out = buf + n;
        z.avail_out = (uInt)(cap - n);
        int zr = inflate(&z, Z_NO_FLUSH);
        n = cap - z.avail_out;
        if (zr == Z_STREAM_END) {
            if (z.avail_in == 0) break;
            if (is_gzip(z.next_in, z.avail_in) && inflateReset(&z) == Z_OK) continue; // next member
            rc = nn_fail(NN_ERR_FORMAT, NN_R_GZIP_TRAILING, NN_S("name", name), NN_U("extra", z.avail_in));
            break;
        }
        if (zr == Z_OK || (zr == Z_BUF_ERROR && z.avail_out == 0)) continue; // room needed
        if (zr == Z_BUF_ERROR)
            rc = nn_fail(NN_ERR_FORMAT, NN_R_GZIP_TRUNCATED, NN_S("name", name));
        else if (zr == Z_MEM_ERROR)
            rc = nn_fail(NN_ERR_NOMEM, NN_R_GZIP_NOMEM, NN_S("name", name));
        else // zlib's own words (native builds only: the page unpacks with the browser)
            rc = nn_fail(NN_ERR_FORMAT, NN_R_GZIP_CORRUPT, NN_S("name", name),
                         NN_S("why", z.msg ? z.msg : "invalid data"));
        break;
    }
    inflateEnd(&z);
    if (rc) {
        free(buf);
        return rc;
    }
    *out = buf;
    *out_len = n;
    return NN_OK;
}
#endif

// ---------------------------------------------------------------------------
// Parsing and loading

// Parse a malloc'd buffer into *out, reusing it for the data rather than
// copying 47 MB: the data slides down over the header. Takes ownership of buf.
static int take_buffer(uint8_t *buf, size_t len, const char *name, nn_idx *out) {
    nn_idx x;
    int header = parse_header(buf, len, name, &x);
    if (header < 0) {
        free(buf);
        return header;
    }
    memmove(buf, buf + header, x.count);
    uint8_t *shrunk = realloc(buf, x.count);
    x.data = shrunk ? shrunk : buf;
    *out = x;
    return NN_OK;
}

int nn_idx_parse(const uint8_t *bytes, size_t len, const char *name, nn_idx *out) {
    if (!out) return nn_fail(NN_ERR_ARG, NN_R_API_NULL_ARG, NN_S("function", "nn_idx_parse"), NN_S("arg", "out"));
    memset(out, 0, sizeof *out);
    if (!name) name = "IDX file";
    if (!bytes && len) return nn_fail(NN_ERR_ARG, NN_R_IDX_NO_BYTES, NN_S("name", name));
#ifdef NN_HAVE_ZLIB
    if (is_gzip(bytes, len)) {
        uint8_t *raw;
        size_t raw_len;
        int rc = gunzip(bytes, len, name, &raw, &raw_len);
        return rc ? rc : take_buffer(raw, raw_len, name, out);
    }
#endif
    nn_idx x;
    int header = parse_header(bytes, len, name, &x);
    if (header < 0) return header;
    x.data = malloc(x.count);
    if (!x.data)
        return nn_fail(NN_ERR_NOMEM, NN_R_IDX_NOMEM, NN_S("name", name), NN_U("n", x.count));
    memcpy(x.data, bytes + header, x.count);
    *out = x;
    return NN_OK;
}

int nn_read_file(const char *path, uint8_t **out, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return nn_fail(NN_ERR_IO, NN_R_IO_OPEN, NN_S("path", path), NN_S("why", strerror(errno)));
    // Start from the file's size when it can be known, so a 47 MB file costs
    // 47 MB (+1 byte, to see the end) rather than a string of doublings
    // whose peak is twice that; a pipe still works by doubling.
    size_t cap = 1 << 16, n = 0;
    if (fseek(f, 0, SEEK_END) == 0) {
        long size = ftell(f);
        if (size >= 0 && (unsigned long)size < ((size_t)1 << 31)) cap = (size_t)size + 1;
        rewind(f);
    }
    uint8_t *buf = malloc(cap);
    for (;;) {
        if (!buf) {
            fclose(f);
            return nn_fail(NN_ERR_NOMEM, NN_R_IO_NOMEM, NN_S("path", path));
        }
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap) break;
        // Double, but stop growing at a size no valid file reaches (also guards size_t).
        if (cap > ((size_t)1 << 31)) {
            free(buf);
            fclose(f);
            return nn_fail(NN_ERR_FORMAT, NN_R_IDX_TOO_LARGE, NN_S("name", path));
        }
        uint8_t *grown = realloc(buf, cap * 2);
        if (!grown) free(buf);
        buf = grown;
        cap *= 2;
    }
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        free(buf);
        return nn_fail(NN_ERR_IO, NN_R_IO_READ, NN_S("path", path));
    }
    *out = buf;
    *len = n;
    return NN_OK;
}

int nn_idx_load(const char *path, nn_idx *out) {
    if (!out) return nn_fail(NN_ERR_ARG, NN_R_API_NULL_ARG, NN_S("function", "nn_idx_load"), NN_S("arg", "out"));
    memset(out, 0, sizeof *out);
    if (!path) return nn_fail(NN_ERR_ARG, NN_R_API_NULL_ARG, NN_S("function", "nn_idx_load"), NN_S("arg", "path"));
    uint8_t *buf = NULL;
    size_t len = 0;
    int rc = nn_read_file(path, &buf, &len);
    if (rc != NN_OK) return rc;
#ifdef NN_HAVE_ZLIB
    if (is_gzip(buf, len)) {
        uint8_t *raw;
        size_t raw_len;
        rc = gunzip(buf, len, path, &raw, &raw_len);
        free(buf);
        if (rc) return rc;
        buf = raw;
        len = raw_len;
    }
#endif
    return take_buffer(buf, len, path, out);
}

void nn_idx_free(nn_idx *x) {
    if (!x) return;
    free(x->data);
    memset(x, 0, sizeof *x);
}

// ---------------------------------------------------------------------------
// Datasets

// nn_dataset_from_idx with file names for the messages.
int nn_dataset_from_idx_named(nn_idx *images, nn_idx *labels, const char *images_name,
                              const char *labels_name, nn_dataset *out) {
    char dims[64];
    if (images->ndim != 3 || !images->data) {
        dims_text(images, dims, sizeof dims);
        return nn_fail(NN_ERR_FORMAT, NN_R_IDX_IMAGES_NDIM, NN_S("name", images_name), NN_I("ndim", images->ndim),
                       NN_S("dims", dims));
    }
    if (labels->ndim != 1 || !labels->data) {
        dims_text(labels, dims, sizeof dims);
        return nn_fail(NN_ERR_FORMAT, NN_R_IDX_LABELS_NDIM, NN_S("name", labels_name), NN_I("ndim", labels->ndim),
                       NN_S("dims", dims));
    }
    if (images->dims[0] != labels->dims[0])
        return nn_fail(NN_ERR_FORMAT, NN_R_IDX_COUNT, NN_S("images", images_name), NN_I("n", images->dims[0]),
                       NN_S("labels", labels_name), NN_I("m", labels->dims[0]));
    int n = images->dims[0];
    int max_label = 0;
    for (int i = 0; i < n; i++)
        if (labels->data[i] > max_label) max_label = labels->data[i];

    memset(out, 0, sizeof *out);
    out->n = n;
    out->rows = images->dims[1];
    out->cols = images->dims[2];
    out->features = out->rows * out->cols; // <= count <= INT_MAX, checked when parsed
    out->n_classes = max_label + 1;
    out->images = images->data;
    out->labels = labels->data;
    memset(images, 0, sizeof *images);
    memset(labels, 0, sizeof *labels);
    return NN_OK;
}

int nn_dataset_from_idx(nn_idx *images, nn_idx *labels, nn_dataset *out) {
    if (!images || !labels || !out)
        return nn_fail(NN_ERR_ARG, NN_R_API_NULL, NN_S("function", "nn_dataset_from_idx"));
    return nn_dataset_from_idx_named(images, labels, "the images file", "the labels file", out);
}

static int can_open(const char *path) {
    FILE *f = fopen(path, "rb");
    if (f) fclose(f);
    return f != NULL;
}

const char *nn_idx_path(const char *path, char *buf, size_t size) {
    snprintf(buf, size, "%s", path);
#ifdef NN_HAVE_ZLIB
    char gz[1024];
    if (!can_open(path) && snprintf(gz, sizeof gz, "%s.gz", path) < (int)sizeof gz && can_open(gz) &&
        strlen(gz) < size)
        snprintf(buf, size, "%s", gz);
#endif
    return buf;
}

// If `path` is missing but "<path>.gz" exists (and was not read: no zlib), say so: the usual slip with MNIST.
static void explain_missing(const char *path) {
    char gz[1024];
    if (snprintf(gz, sizeof gz, "%s.gz", path) >= (int)sizeof gz || !can_open(gz)) return;
    nn_fail(NN_ERR_IO, NN_R_IO_GZ_EXISTS, NN_S("path", path), NN_S("gz", gz));
}

int nn_dataset_load_files(const char *images_path, const char *labels_path, nn_dataset *out) {
    if (!images_path || !labels_path || !out)
        return nn_fail(NN_ERR_ARG, NN_R_API_NULL, NN_S("function", "nn_dataset_load_files"));
    char ibuf[1024], lbuf[1024];
    images_path = nn_idx_path(images_path, ibuf, sizeof ibuf);
    labels_path = nn_idx_path(labels_path, lbuf, sizeof lbuf);
    nn_idx images, labels;
    int rc = nn_idx_load(images_path, &images);
    if (rc == NN_ERR_IO) explain_missing(images_path);
    if (rc != NN_OK) return rc;
    rc = nn_idx_load(labels_path, &labels);
    if (rc == NN_ERR_IO) explain_missing(labels_path);
    if (rc != NN_OK) {
        nn_idx_free(&images);
        return rc;
    }
    rc = nn_dataset_from_idx_named(&images, &labels, images_path, labels_path, out);
    nn_idx_free(&images); // emptied on success, still owned on failure
    nn_idx_free(&labels);
    return rc;
}

int nn_dataset_load_mnist(const char *dir, const char *prefix, nn_dataset *out) {
    if (!dir || !prefix || !out)
        return nn_fail(NN_ERR_ARG, NN_R_API_NULL, NN_S("function", "nn_dataset_load_mnist"));
    size_t dl = strlen(dir);
    const char *sep = (dl == 0 || dir[dl - 1] == '/') ? "" : "/";
    char ipath[1024], lpath[1024];
    if (snprintf(ipath, sizeof ipath, "%s%s%s-images-idx3-ubyte", dir, sep, prefix) >=
            (int)sizeof ipath ||
        snprintf(lpath, sizeof lpath, "%s%s%s-labels-idx1-ubyte", dir, sep, prefix) >=
            (int)sizeof lpath)
        return nn_fail(NN_ERR_ARG, NN_R_DATASET_DIR_LONG, NN_S("dir", dir));
    return nn_dataset_load_files(ipath, lpath, out);
}

int nn_dataset_check_test(const nn_dataset *train, const char *train_images,
                          const char *train_labels, nn_dataset *test, const char *test_images,
                          const char *test_labels) {
    if (test->rows != train->rows || test->cols != train->cols)
        return nn_fail(NN_ERR_FORMAT, NN_R_DATASET_TEST_SIZE, NN_S("name", test_images), NN_I("rows", test->rows),
                       NN_I("cols", test->cols), NN_S("train", train_images), NN_I("trainRows", train->rows),
                       NN_I("trainCols", train->cols));
    if (test->n_classes > train->n_classes)
        return nn_fail(NN_ERR_FORMAT, NN_R_DATASET_TEST_LABEL, NN_S("name", test_labels),
                       NN_I("label", test->n_classes - 1), NN_S("train", train_labels),
                       NN_I("max", train->n_classes - 1));
    test->n_classes = train->n_classes;
    return NN_OK;
}

int nn_dataset_slice(const nn_dataset *src, int start, int count, nn_dataset *out) {
    if (!src || !out) return nn_fail(NN_ERR_ARG, NN_R_API_NULL, NN_S("function", "nn_dataset_slice"));
    if (start < 0 || count < 0 || start > src->n || count > src->n - start)
        return nn_fail(NN_ERR_ARG, NN_R_DATASET_SLICE, NN_I("start", start), NN_I("end", (long long)start + count),
                       NN_I("n", src->n));
    nn_dataset d = *src;
    d.n = count;
    d.images = NULL;
    d.labels = NULL;
    if (count > 0) {
        size_t pixels = (size_t)count * (size_t)src->features;
        d.images = malloc(pixels);
        d.labels = malloc((size_t)count);
        if (!d.images || !d.labels) {
            free(d.images);
            free(d.labels);
            return nn_fail(NN_ERR_NOMEM, NN_R_DATASET_SLICE_NOMEM, NN_I("n", count));
        }
        memcpy(d.images, src->images + (size_t)start * (size_t)src->features, pixels);
        memcpy(d.labels, src->labels + start, (size_t)count);
    }
    // n_classes stays the source's: a slice of MNIST still has 10 classes even
    // if the slice happens to lack the 9s.
    *out = d;
    return NN_OK;
}

void nn_dataset_free(nn_dataset *d) {
    if (!d) return;
    free(d->images);
    free(d->labels);
    memset(d, 0, sizeof *d);
}

static volatile unsigned gather_sink;

void nn_dataset_gather(const nn_dataset *d, const int32_t *idx, int count, float *x,
                       uint8_t *labels) {
    // v / 255 exactly as Keras' x / 255.0 gives (255 -> 1.0 exactly); a table
    // keeps the division out of the inner loop.
    float scale[256];
    for (int v = 0; v < 256; v++) scale[v] = (float)v / 255.0f;
    size_t f = (size_t)d->features;
    // Shuffled rows are scattered over tens of MB, so each one is a string of
    // cache misses. Touching one byte per cache line of every row first lets
    // the CPU fetch them all at once (the loads are independent) instead of
    // one row after another; WebAssembly has no prefetch instruction.
    unsigned touched = 0;
    for (int i = 0; i < count && f; i++) {
        const uint8_t *src = d->images + (idx ? (size_t)idx[i] : (size_t)i) * f;
        for (size_t j = 0; j < f; j += 64) touched += src[j];
        touched += src[f - 1];
    }
    for (int i = 0; i < count; i++) {
        size_t s = idx ? (size_t)idx[i] : (size_t)i;
        const uint8_t *src = d->images + s * f;
        float *dst = x + (size_t)i * f;
        for (size_t j = 0; j < f; j++) dst[j] = scale[src[j]];
        if (labels) labels[i] = d->labels[s];
    }
    gather_sink = touched; // keeps the touching loop from being optimised away
}
