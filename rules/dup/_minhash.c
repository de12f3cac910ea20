/*
 * Optional native kernels of corpuslint's DUP rules (corpuslint.rules.dup._minhash).
 *
 * Two loops that numpy cannot do without many passes over memory:
 *
 *   shingle_ids(buf, ngram) -> bytes   64-bit ids of the word n-grams of ``buf``
 *       (tokens are runs of bytes other than the space), as little-endian uint64;
 *   signature(ids, a, b) -> bytes      datasketch's affine32 MinHash of those ids:
 *       min over ids of a[p] * fmix32(low32(id)) + b[p] (mod 2**32), uint32 per p.
 *
 * minhash.py holds the reference definitions in numpy and uses them when this
 * module is not built; tests check that both give the same bytes. Only the
 * buffer protocol is used (no numpy headers), so the module builds anywhere a C
 * compiler is.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define BYTE_MULT 0x9E3779B97F4A7C15ULL
#define COMBINE 0x100000001B3ULL

static inline uint64_t fmix64(uint64_t x) {
    x ^= x >> 33;
    x *= 0xFF51AFD7ED558CCDULL;
    x ^= x >> 33;
    x *= 0xC4CEB9FE1A85EC53ULL;
    x ^= x >> 33;
    return x;
}

static inline uint32_t fmix32(uint32_t x) {
    x ^= x >> 16;
    x *= 0x85EBCA6BU;
    x ^= x >> 13;
    x *= 0xC2B2AE35U;
    x ^= x >> 16;
    return x;
}

static PyObject *shingle_ids(PyObject *self, PyObject *args) {
    Py_buffer buf;
    Py_ssize_t ngram;
    if (!PyArg_ParseTuple(args, "y*n", &buf, &ngram)) return NULL;
    const unsigned char *s = (const unsigned char *)buf.buf;
    Py_ssize_t len = buf.len;
    /* at most one token per two bytes, plus one */
    uint64_t *tok = (uint64_t *)PyMem_Malloc(sizeof(uint64_t) * (size_t)(len / 2 + 1));
    if (tok == NULL) {
        PyBuffer_Release(&buf);
        return PyErr_NoMemory();
    }
    Py_ssize_t t = 0;
    Py_ssize_t i = 0;
    Py_BEGIN_ALLOW_THREADS
    while (i < len) {
        while (i < len && s[i] == 32) i++;
        if (i >= len) break;
        uint64_t h = 0, mult = 1;
        while (i < len && s[i] != 32) {
            h += ((uint64_t)s[i] + 1) * mult;
            mult *= BYTE_MULT;
            i++;
        }
        tok[t++] = fmix64(h);
    }
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&buf);
    if (ngram < 1) ngram = 1;
    Py_ssize_t n = ngram < t ? ngram : t;
    Py_ssize_t m = t ? t - n + 1 : 0;
    PyObject *out = PyBytes_FromStringAndSize(NULL, m * (Py_ssize_t)sizeof(uint64_t));
    if (out == NULL) {
        PyMem_Free(tok);
        return NULL;
    }
    uint64_t *ids = (uint64_t *)PyBytes_AS_STRING(out);
    for (Py_ssize_t k = 0; k < m; k++) {
        uint64_t h = tok[k];
        for (Py_ssize_t j = 1; j < n; j++) h = h * COMBINE + tok[k + j];
        ids[k] = fmix64(h);
    }
    PyMem_Free(tok);
    return out;
}

#if defined(__GNUC__) && defined(__x86_64__) && defined(__linux__)
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
static void min_affine(const uint32_t *restrict hv, Py_ssize_t count, const uint32_t *restrict a,
                       const uint32_t *restrict b, uint32_t *restrict out, Py_ssize_t k) {
    for (Py_ssize_t p = 0; p < k; p++) out[p] = 0xFFFFFFFFU;
    for (Py_ssize_t i = 0; i < count; i++) {
        const uint32_t h = hv[i];
        for (Py_ssize_t p = 0; p < k; p++) {
            const uint32_t v = a[p] * h + b[p];
            out[p] = v < out[p] ? v : out[p];
        }
    }
}

static PyObject *signature(PyObject *self, PyObject *args) {
    Py_buffer ids, a, b;
    if (!PyArg_ParseTuple(args, "y*y*y*", &ids, &a, &b)) return NULL;
    PyObject *out = NULL;
    uint32_t *hv = NULL;
    Py_ssize_t count = ids.len / 8, k = a.len / 4;
    if (b.len != a.len) {
        PyErr_SetString(PyExc_ValueError, "a and b differ in length");
        goto done;
    }
    hv = (uint32_t *)PyMem_Malloc(sizeof(uint32_t) * (size_t)(count + 1));
    if (hv == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    const unsigned char *raw = (const unsigned char *)ids.buf;
    for (Py_ssize_t i = 0; i < count; i++) {
        uint64_t v;
        memcpy(&v, raw + 8 * i, 8);
        hv[i] = fmix32((uint32_t)v);
    }
    out = PyBytes_FromStringAndSize(NULL, k * 4);
    if (out == NULL) goto done;
    uint32_t *sig = (uint32_t *)PyBytes_AS_STRING(out);
    const uint32_t *pa = (const uint32_t *)a.buf, *pb = (const uint32_t *)b.buf;
    Py_BEGIN_ALLOW_THREADS
    min_affine(hv, count, pa, pb, sig, k);
    Py_END_ALLOW_THREADS
done:
    PyMem_Free(hv);
    PyBuffer_Release(&ids);
    PyBuffer_Release(&a);
    PyBuffer_Release(&b);
    return out;
}

/* str.split() whitespace among ASCII characters */
static inline int is_space(unsigned char c) {
    return c == 32 || (c >= 9 && c <= 13) || (c >= 28 && c <= 31);
}

static PyObject *fold_ascii(PyObject *self, PyObject *args) {
    Py_buffer buf;
    if (!PyArg_ParseTuple(args, "y*", &buf)) return NULL;
    const unsigned char *s = (const unsigned char *)buf.buf;
    Py_ssize_t len = buf.len;
    PyObject *out = PyBytes_FromStringAndSize(NULL, len);
    if (out == NULL) {
        PyBuffer_Release(&buf);
        return NULL;
    }
    unsigned char *o = (unsigned char *)PyBytes_AS_STRING(out);
    Py_ssize_t n = 0;
    int pending = 0; /* a space to write before the next word */
    for (Py_ssize_t i = 0; i < len; i++) {
        unsigned char c = s[i];
        if (is_space(c)) {
            pending = n > 0;
            continue;
        }
        if (pending) {
            o[n++] = 32;
            pending = 0;
        }
        o[n++] = (c >= 65 && c <= 90) ? (unsigned char)(c + 32) : c;
    }
    PyBuffer_Release(&buf);
    if (_PyBytes_Resize(&out, n) < 0) return NULL;
    return out;
}

static PyMethodDef methods[] = {
    {"fold_ascii", fold_ascii, METH_VARARGS,
     "fold_ascii(buf) -> bytes: ASCII text lowercased, whitespace runs as one space, stripped"},
    {"shingle_ids", shingle_ids, METH_VARARGS,
     "shingle_ids(buf, ngram) -> bytes: uint64 ids of the n-grams of space-separated tokens"},
    {"signature", signature, METH_VARARGS,
     "signature(ids, a, b) -> bytes: affine32 MinHash (uint32) of uint64 shingle ids"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_minhash", NULL, -1, methods};

PyMODINIT_FUNC PyInit__minhash(void) { return PyModule_Create(&module); }
