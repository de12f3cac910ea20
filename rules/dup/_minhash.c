/*
 * Optional native kernels of corpuslint's DUP rules (corpuslint.rules.dup._minhash).
 *
 * Loops that numpy cannot do without many passes over memory:
 *
 *   shingle_ids(buf, ngram) -> bytes   64-bit ids of the word n-grams of ``buf``
 *       (tokens are runs of bytes other than the space), as little-endian uint64;
 *   shingle_set(buf, ngram) -> bytes   the same ids sorted, without repeats (the set
 *       whose exact Jaccard similarity verifies a candidate pair);
 *   intersect_count(a, b) -> int       size of the intersection of two such sets;
 *   signature(ids, a, b) -> bytes      datasketch's affine32 MinHash of those ids:
 *       min over ids of a[p] * fmix32(low32(id)) + b[p] (mod 2**32), uint32 per p;
 *   band_keys(sigs, num_perm, offsets, rows) -> bytes   LSH band keys (int64) of
 *       many signatures;
 *   fold_ascii(buf) -> bytes           DUP001's normalised text of ASCII text;
 *   exact_paragraphs(text, min_words, lower) -> (bytes, bool)   DUP001's normalised
 *       text of any (folded) str, and DUP003's screening for repeated paragraphs;
 *   word_bytes(text, lower) -> bytes   the \w+ words of a (folded) str, for shingles.
 *
 * minhash.py, graph.py, normalize.py and paragraphs.py hold the reference definitions
 * in Python and numpy and use them when this module is not built; tests check that
 * both give the same results. Only the buffer protocol is used (no numpy headers), so the
 * module builds anywhere a C compiler is.
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

/* The 64-bit ids of the word n-grams of ``s`` (tokens: runs of bytes other than
 * the space), written to a new PyMem buffer; *count receives how many. NULL when
 * out of memory (*count is then -1) or when there are no tokens (*count 0). */
static uint64_t *word_shingles(const unsigned char *s, Py_ssize_t len, Py_ssize_t ngram,
                               Py_ssize_t *count) {
    /* at most one token per two bytes, plus one */
    uint64_t *tok = (uint64_t *)PyMem_RawMalloc(sizeof(uint64_t) * (size_t)(len / 2 + 1));
    *count = -1;
    if (tok == NULL) return NULL;
    Py_ssize_t t = 0, i = 0;
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
    if (ngram < 1) ngram = 1;
    Py_ssize_t n = ngram < t ? ngram : t;
    Py_ssize_t m = t ? t - n + 1 : 0;
    /* the ids overwrite the tokens in place: id k reads tokens k .. k + n - 1 */
    for (Py_ssize_t k = 0; k < m; k++) {
        uint64_t h = tok[k];
        for (Py_ssize_t j = 1; j < n; j++) h = h * COMBINE + tok[k + j];
        tok[k] = fmix64(h);
    }
    *count = m;
    return tok;
}

static PyObject *shingle_ids(PyObject *self, PyObject *args) {
    Py_buffer buf;
    Py_ssize_t ngram, m;
    if (!PyArg_ParseTuple(args, "y*n", &buf, &ngram)) return NULL;
    uint64_t *ids;
    Py_BEGIN_ALLOW_THREADS
    ids = word_shingles((const unsigned char *)buf.buf, buf.len, ngram, &m);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&buf);
    if (m < 0) return PyErr_NoMemory();
    PyObject *out = PyBytes_FromStringAndSize((const char *)ids, m * (Py_ssize_t)sizeof(uint64_t));
    PyMem_RawFree(ids);
    return out;
}

/* In-place sort of n uint64: insertion sort when short, else LSD radix sort with
 * 8-bit digits (16-bit ones from a million values on), skipping digits that every
 * value shares. 0, or -1 when out of memory. */
static int sort_u64(uint64_t *a, Py_ssize_t n) {
    if (n < 48) {
        for (Py_ssize_t i = 1; i < n; i++) {
            uint64_t v = a[i];
            Py_ssize_t j = i;
            while (j > 0 && a[j - 1] > v) {
                a[j] = a[j - 1];
                j--;
            }
            a[j] = v;
        }
        return 0;
    }
    const int bits = n >= (1 << 20) ? 16 : 8;
    const size_t buckets = (size_t)1 << bits;
    const uint64_t mask = buckets - 1;
    uint64_t *tmp = (uint64_t *)PyMem_RawMalloc(sizeof(uint64_t) * (size_t)n);
    size_t *cnt = (size_t *)PyMem_RawMalloc(sizeof(size_t) * buckets);
    if (tmp == NULL || cnt == NULL) {
        PyMem_RawFree(tmp);
        PyMem_RawFree(cnt);
        return -1;
    }
    uint64_t *src = a, *dst = tmp;
    for (int shift = 0; shift < 64; shift += bits) {
        memset(cnt, 0, sizeof(size_t) * buckets);
        for (Py_ssize_t i = 0; i < n; i++) cnt[(src[i] >> shift) & mask]++;
        if (cnt[(src[0] >> shift) & mask] == (size_t)n) continue; /* one digit: nothing to do */
        size_t sum = 0;
        for (size_t d = 0; d < buckets; d++) {
            size_t c = cnt[d];
            cnt[d] = sum;
            sum += c;
        }
        for (Py_ssize_t i = 0; i < n; i++) dst[cnt[(src[i] >> shift) & mask]++] = src[i];
        uint64_t *x = src;
        src = dst;
        dst = x;
    }
    if (src != a) memcpy(a, src, sizeof(uint64_t) * (size_t)n);
    PyMem_RawFree(tmp);
    PyMem_RawFree(cnt);
    return 0;
}

static Py_ssize_t unique_sorted(uint64_t *a, Py_ssize_t n) {
    if (n == 0) return 0;
    Py_ssize_t m = 1;
    for (Py_ssize_t i = 1; i < n; i++)
        if (a[i] != a[m - 1]) a[m++] = a[i];
    return m;
}

static PyObject *shingle_set(PyObject *self, PyObject *args) {
    Py_buffer buf;
    Py_ssize_t ngram, m;
    int failed = 0;
    if (!PyArg_ParseTuple(args, "y*n", &buf, &ngram)) return NULL;
    uint64_t *ids;
    Py_BEGIN_ALLOW_THREADS
    ids = word_shingles((const unsigned char *)buf.buf, buf.len, ngram, &m);
    if (m > 0) {
        failed = sort_u64(ids, m);
        m = unique_sorted(ids, m);
    }
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&buf);
    if (m < 0 || failed) {
        PyMem_RawFree(ids);
        return PyErr_NoMemory();
    }
    PyObject *out = PyBytes_FromStringAndSize((const char *)ids, m * (Py_ssize_t)sizeof(uint64_t));
    PyMem_RawFree(ids);
    return out;
}

static PyObject *intersect_count(PyObject *self, PyObject *args) {
    Py_buffer a, b;
    if (!PyArg_ParseTuple(args, "y*y*", &a, &b)) return NULL;
    const unsigned char *pa = (const unsigned char *)a.buf, *pb = (const unsigned char *)b.buf;
    Py_ssize_t na = a.len / 8, nb = b.len / 8, i = 0, j = 0, common = 0;
    while (i < na && j < nb) { /* branch-free merge */
        uint64_t x, y;
        memcpy(&x, pa + 8 * i, 8);
        memcpy(&y, pb + 8 * j, 8);
        common += x == y;
        i += x <= y;
        j += y <= x;
    }
    PyBuffer_Release(&a);
    PyBuffer_Release(&b);
    return PyLong_FromSsize_t(common);
}

static PyObject *band_keys(PyObject *self, PyObject *args) {
    Py_buffer sigs, offsets;
    Py_ssize_t num_perm, rows;
    if (!PyArg_ParseTuple(args, "y*ny*n", &sigs, &num_perm, &offsets, &rows)) return NULL;
    Py_ssize_t bands = offsets.len / 8;
    PyObject *out = NULL;
    if (num_perm < 1 || rows < 1 || bands * rows > num_perm || sigs.len % (4 * num_perm)) {
        PyErr_SetString(PyExc_ValueError, "signatures, bands and rows do not fit");
        goto done;
    }
    Py_ssize_t n = sigs.len / (4 * num_perm);
    out = PyBytes_FromStringAndSize(NULL, n * bands * 8);
    if (out == NULL) goto done;
    const unsigned char *ps = (const unsigned char *)sigs.buf;
    const unsigned char *po = (const unsigned char *)offsets.buf;
    unsigned char *pk = (unsigned char *)PyBytes_AS_STRING(out);
    for (Py_ssize_t d = 0; d < n; d++) {
        for (Py_ssize_t band = 0; band < bands; band++) {
            uint64_t h;
            memcpy(&h, po + 8 * band, 8);
            for (Py_ssize_t r = 0; r < rows; r++) {
                uint32_t v;
                memcpy(&v, ps + 4 * (d * num_perm + band * rows + r), 4);
                h = h * COMBINE + (uint64_t)v;
            }
            h = fmix64(h);
            memcpy(pk + 8 * (d * bands + band), &h, 8);
        }
    }
done:
    PyBuffer_Release(&sigs);
    PyBuffer_Release(&offsets);
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

/* -- text kernels on str (any Unicode) ------------------------------------------ */

/* Appends code point ch as UTF-8 (surrogates as three bytes, like "surrogatepass"). */
static inline Py_ssize_t put_utf8(unsigned char *o, Py_ssize_t n, Py_UCS4 ch) {
    if (ch < 0x80) {
        o[n++] = (unsigned char)ch;
    } else if (ch < 0x800) {
        o[n++] = (unsigned char)(0xC0 | (ch >> 6));
        o[n++] = (unsigned char)(0x80 | (ch & 0x3F));
    } else if (ch < 0x10000) {
        o[n++] = (unsigned char)(0xE0 | (ch >> 12));
        o[n++] = (unsigned char)(0x80 | ((ch >> 6) & 0x3F));
        o[n++] = (unsigned char)(0x80 | (ch & 0x3F));
    } else {
        o[n++] = (unsigned char)(0xF0 | (ch >> 18));
        o[n++] = (unsigned char)(0x80 | ((ch >> 12) & 0x3F));
        o[n++] = (unsigned char)(0x80 | ((ch >> 6) & 0x3F));
        o[n++] = (unsigned char)(0x80 | (ch & 0x3F));
    }
    return n;
}

static inline Py_UCS4 lower_ascii(Py_UCS4 ch) { return (ch >= 'A' && ch <= 'Z') ? ch + 32 : ch; }

/* A hash of n bytes, eight at a time (paragraph keys: equal bytes, equal hash). */
static uint64_t hash_bytes(const unsigned char *p, Py_ssize_t n) {
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ (uint64_t)n;
    Py_ssize_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        h = fmix64(h ^ w) + 0x632BE59BD9B4E019ULL;
    }
    uint64_t w = 0;
    memcpy(&w, p + i, (size_t)(n - i));
    return fmix64(h ^ w ^ ((uint64_t)(n - i) << 59));
}

static inline int is_break(Py_UCS4 ch) { return ch == '\r' || ch == '\n'; }

/* The end of a blank-line separator starting at i (a line break, spaces or tabs, then
 * a line break or the end ``end``), or -1: the regex (?:\r\n|\r|\n)[ \t]*(?=\r\n|\r|\n|$)
 * of paragraphs.py, including its backtracking to a lone "\r" inside "\r\n". */
static Py_ssize_t blank_at(int kind, const void *d, Py_ssize_t i, Py_ssize_t end) {
    Py_UCS4 c = PyUnicode_READ(kind, d, i);
    if (!is_break(c)) return -1;
    Py_ssize_t q = i + 1;
    int crlf = c == '\r' && q < end && PyUnicode_READ(kind, d, q) == '\n';
    if (crlf) q++;
    while (q < end) {
        Py_UCS4 x = PyUnicode_READ(kind, d, q);
        if (x != ' ' && x != '\t') break;
        q++;
    }
    if (q == end || is_break(PyUnicode_READ(kind, d, q))) return q;
    return crlf ? i + 1 : -1; /* "\r" alone, followed by "\n" */
}

#if defined(__GNUC__)
#define ALWAYS_INLINE static inline __attribute__((always_inline))
#else
#define ALWAYS_INLINE static inline
#endif

/* str.split() whitespace (and whether it is "\r" or "\n") */
ALWAYS_INLINE int space_class(Py_UCS4 ch) {
    if (ch < 128) return ch == '\r' || ch == '\n' ? 2 : (is_space((unsigned char)ch) ? 1 : 0);
    return Py_UNICODE_ISSPACE(ch) ? 1 : 0;
}

/* The body of exact_paragraphs for one string kind (inlined with a constant kind). */
ALWAYS_INLINE Py_ssize_t exact_core(int kind, const void *d, Py_ssize_t len, int blank,
                                    Py_ssize_t min_words, int lower, unsigned char *o,
                                    uint64_t *keys, Py_ssize_t *nkeys) {
    Py_ssize_t n = 0, nk = 0;
    int pending = 0;             /* a space to write before the next word */
    Py_ssize_t para_start = -1;  /* output offset of the paragraph's first byte */
    Py_ssize_t para_words = 0;
    int in_word = 0;
    Py_ssize_t i = 0;
    for (;;) {
        Py_ssize_t next = -1; /* where the next paragraph begins, at a paragraph end */
        Py_UCS4 ch = 0;
        int cls = 0;
        if (i == len) {
            next = len + 1;
        } else {
            ch = PyUnicode_READ(kind, d, i);
            cls = space_class(ch);
            if (cls == 2) {
                if (blank) {
                    Py_ssize_t q = blank_at(kind, d, i, len);
                    if (q >= 0) next = q;
                } else {
                    next = i + 1;
                }
            }
        }
        if (next >= 0) {
            if (para_start >= 0 && para_words >= min_words)
                keys[nk++] = hash_bytes(o + para_start, n - para_start);
            para_start = -1;
            para_words = 0;
            in_word = 0;
            if (n > 0) pending = 1; /* separators are whitespace */
            if (next > len) break;
            i = next;
            continue;
        }
        i++;
        if (cls) {
            if (n > 0) pending = 1;
            in_word = 0;
            continue;
        }
        if (pending) {
            o[n++] = ' ';
            pending = 0;
        }
        if (!in_word) {
            if (para_start < 0) para_start = n;
            para_words++;
            in_word = 1;
        }
        n = put_utf8(o, n, lower ? lower_ascii(ch) : ch);
    }
    *nkeys = nk;
    return n;
}

/* exact_paragraphs(text, min_words, lower) -> (bytes, bool)
 *
 * ``text`` is folded text (Unicode form, case folding) or ASCII text (``lower``
 * lowercases A-Z). Returns " ".join(text.split()) as UTF-8 (DUP001's normalised
 * text) and whether two paragraphs, as DUP003 splits them, of at least min_words
 * words may be equal once folded the same way: False is certain, True may (rarely)
 * be a hash collision. Whitespace is str.split()'s. */
static PyObject *exact_paragraphs(PyObject *self, PyObject *args) {
    PyObject *text;
    Py_ssize_t min_words;
    int lower;
    if (!PyArg_ParseTuple(args, "Unp", &text, &min_words, &lower)) return NULL;
    int kind = PyUnicode_KIND(text);
    const void *d = PyUnicode_DATA(text);
    Py_ssize_t len = PyUnicode_GET_LENGTH(text);
    unsigned char *o = (unsigned char *)PyMem_Malloc((size_t)(len * 4 + 1));
    uint64_t *keys = (uint64_t *)PyMem_Malloc(sizeof(uint64_t) * (size_t)(len / 2 + 2));
    if (o == NULL || keys == NULL) {
        PyMem_Free(o);
        PyMem_Free(keys);
        return PyErr_NoMemory();
    }
    /* blank-line mode: a separator inside the text stripped of "\r" and "\n" */
    Py_ssize_t lo = 0, hi = len;
    while (lo < hi && is_break(PyUnicode_READ(kind, d, lo))) lo++;
    while (hi > lo && is_break(PyUnicode_READ(kind, d, hi - 1))) hi--;
    int blank = 0;
    for (Py_ssize_t i = lo; i < hi && !blank; i++)
        if (is_break(PyUnicode_READ(kind, d, i))) blank = blank_at(kind, d, i, hi) >= 0;

    Py_ssize_t n, nkeys = 0;
    switch (kind) {
    case PyUnicode_1BYTE_KIND:
        n = exact_core(PyUnicode_1BYTE_KIND, d, len, blank, min_words, lower, o, keys, &nkeys);
        break;
    case PyUnicode_2BYTE_KIND:
        n = exact_core(PyUnicode_2BYTE_KIND, d, len, blank, min_words, lower, o, keys, &nkeys);
        break;
    default:
        n = exact_core(PyUnicode_4BYTE_KIND, d, len, blank, min_words, lower, o, keys, &nkeys);
    }
    int repeat = 0;
    if (nkeys > 1) {
        if (sort_u64(keys, nkeys) < 0) {
            PyMem_Free(o);
            PyMem_Free(keys);
            return PyErr_NoMemory();
        }
        for (Py_ssize_t k = 1; k < nkeys; k++)
            if (keys[k] == keys[k - 1]) {
                repeat = 1;
                break;
            }
    }
    PyObject *out = PyBytes_FromStringAndSize((const char *)o, n);
    PyMem_Free(o);
    PyMem_Free(keys);
    if (out == NULL) return NULL;
    return Py_BuildValue("(NO)", out, repeat ? Py_True : Py_False);
}

ALWAYS_INLINE int is_word_char(Py_UCS4 ch) {
    if (ch < 128)
        return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
               ch == '_';
    return Py_UNICODE_ISALNUM(ch);
}

ALWAYS_INLINE Py_ssize_t words_core(int kind, const void *d, Py_ssize_t len, int lower,
                                    unsigned char *o) {
    Py_ssize_t n = 0;
    int pending = 0;
    for (Py_ssize_t i = 0; i < len; i++) {
        Py_UCS4 ch = PyUnicode_READ(kind, d, i);
        if (!is_word_char(ch)) {
            if (n > 0) pending = 1;
            continue;
        }
        if (pending) {
            o[n++] = ' ';
            pending = 0;
        }
        n = put_utf8(o, n, lower ? lower_ascii(ch) : ch);
    }
    return n;
}

/* word_bytes(text, lower) -> bytes: " ".join(re.findall(r"\w+", text)) as UTF-8
 * (a word character is alphanumeric or "_", as for re's \w on str). */
static PyObject *word_bytes(PyObject *self, PyObject *args) {
    PyObject *text;
    int lower;
    if (!PyArg_ParseTuple(args, "Up", &text, &lower)) return NULL;
    int kind = PyUnicode_KIND(text);
    const void *d = PyUnicode_DATA(text);
    Py_ssize_t len = PyUnicode_GET_LENGTH(text);
    unsigned char *o = (unsigned char *)PyMem_Malloc((size_t)(len * 4 + 1));
    if (o == NULL) return PyErr_NoMemory();
    Py_ssize_t n;
    switch (kind) {
    case PyUnicode_1BYTE_KIND:
        n = words_core(PyUnicode_1BYTE_KIND, d, len, lower, o);
        break;
    case PyUnicode_2BYTE_KIND:
        n = words_core(PyUnicode_2BYTE_KIND, d, len, lower, o);
        break;
    default:
        n = words_core(PyUnicode_4BYTE_KIND, d, len, lower, o);
    }
    PyObject *out = PyBytes_FromStringAndSize((const char *)o, n);
    PyMem_Free(o);
    return out;
}

static PyMethodDef methods[] = {
    {"fold_ascii", fold_ascii, METH_VARARGS,
     "fold_ascii(buf) -> bytes: ASCII text lowercased, whitespace runs as one space, stripped"},
    {"shingle_ids", shingle_ids, METH_VARARGS,
     "shingle_ids(buf, ngram) -> bytes: uint64 ids of the n-grams of space-separated tokens"},
    {"signature", signature, METH_VARARGS,
     "signature(ids, a, b) -> bytes: affine32 MinHash (uint32) of uint64 shingle ids"},
    {"shingle_set", shingle_set, METH_VARARGS,
     "shingle_set(buf, ngram) -> bytes: the shingle ids sorted, without repeats"},
    {"intersect_count", intersect_count, METH_VARARGS,
     "intersect_count(a, b) -> int: common values of two sorted, repeat-free uint64 buffers"},
    {"band_keys", band_keys, METH_VARARGS,
     "band_keys(sigs, num_perm, offsets, rows) -> bytes: int64 LSH band keys per signature"},
    {"exact_paragraphs", exact_paragraphs, METH_VARARGS,
     "exact_paragraphs(text, min_words, lower) -> (bytes, bool): DUP001's text, DUP003's filter"},
    {"word_bytes", word_bytes, METH_VARARGS,
     "word_bytes(text, lower) -> bytes: the \\w+ words of text, space-separated, as UTF-8"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_minhash", NULL, -1, methods};

PyMODINIT_FUNC PyInit__minhash(void) { return PyModule_Create(&module); }
