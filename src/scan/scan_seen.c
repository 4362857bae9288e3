/*
 * NAME
 *     scan_seen - an exact set of names, in memory or spilled to a temp file
 * SYNOPSIS
 *     struct scan_seen s; scan_seen_init(&s);   (or scan_seen_init_spill(&s))
 *     scan_seen_add(&s, "example.com", &was_new, err);
 *     scan_seen_find(&s, "example.com", &found, err);  scan_seen_has(&s, "example.com");
 *     scan_seen_free(&s);
 * DESCRIPTION
 *     Exact: each name is kept, its 8-byte slot holding a 32-bit tag (the
 *     high half of its 64-bit hash) and the name's offset, and a tag match
 *     is confirmed by comparing the names, so no crafted name can pass for
 *     another (a duplicate or an already-done domain).
 *
 *     The table is open addressing with linear probing, at most 3/4 full,
 *     grown by 1.5x (1024, 1536, 2304, ... slots; amortized O(1) per add).
 *     A tag's home slot is (tag * cap) >> 32 (multiply-shift: any table
 *     size), so growing moves slots by their tags and never reads a name.
 *     A slot costs 8 bytes: 10.7 to 16 bytes a name at 3/4 to 1/2 full
 *     (doubling gave 10.7 to 21.3).
 *
 *     In memory (scan_seen_init) the names sit in 64 KiB arena chunks.
 *     Spilled (scan_seen_init_spill; the scan's input and --resume sets),
 *     the one chunk is a write buffer: when a name does not fit, its bytes
 *     are written at the end of an unlinked file made 0600 under $TMPDIR
 *     (or /tmp; O_TMPFILE, else mkstemp + unlink) when first needed, so
 *     memory is the slots plus 64 KiB. A tag match is confirmed by reading
 *     the name back (pread, or the unflushed buffer). Tags of different
 *     names match rarely: a name's home is fixed by its tag, so only names
 *     with the same home can share its tag, each with chance cap / 2^32,
 *     and a home holds at most 3/4 of a name on average: about n / 2^32
 *     false matches per lookup, n^2 / 2^33 reads over n adds (1 for
 *     100,000 names, 116 for a million). So the reads are about one per
 *     true duplicate (and one per resumed domain).
 *
 *     When the file cannot be made or a write fails (a full disk), the set
 *     keeps the buffer and its later names in memory for the rest of its
 *     life: names already written stay in the file and are still read
 *     back. Nothing is lost, nothing reported. The caller owns the set; it
 *     is not locked (one thread at a time).
 * LIMITS
 *     Memory grows with the number of distinct names (slots only, when
 *     spilled); names up to 64 KiB - 1 bytes (STC_E_INVAL past it), 4 GiB
 *     of names in all, file and memory (STC_E_LIMIT): a 32-bit offset keeps
 *     the slot at 8 bytes. The spill file is as large as the names.
 * DIAGNOSTICS
 *     scan_seen_add: STC_E_NOMEM when the table or arena cannot grow,
 *     STC_E_INVAL for a name past the limit, STC_E_LIMIT past 4 GiB of
 *     names; scan_seen_add and scan_seen_find: STC_E_IO when a spilled
 *     name cannot be read back (the answer would be a guess).
 */
#include "scan_seen.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../util/err.h"
#include "../util/hash.h"

uint64_t scan_hash(const void *p, size_t n)
{
    uint64_t h = hash_fnv1a(p, n);
    /* splitmix64 finalizer: spread FNV's low bits. */
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    h ^= h >> 31;
    return h ? h : 1;
}

#define SEEN_CHUNK (64u * 1024) /* a name is at most SEEN_CHUNK - 1 bytes */
#define OFF_END ((uint64_t)UINT32_MAX + 1)
#define FIRST_CAP 1024u

void scan_seen_init(struct scan_seen *s)
{
    memset(s, 0, sizeof *s);
    s->fd = -1;
    s->hash = scan_hash;
}

void scan_seen_init_spill(struct scan_seen *s)
{
    scan_seen_init(s);
    s->spill = 1;
}

void scan_seen_free(struct scan_seen *s)
{
    free(s->slots);
    for (size_t i = 0; i < s->nchunks; i++)
        free(s->chunks[i]);
    free(s->chunks);
    if (s->fd >= 0)
        close(s->fd);
    scan_seen_init(s);
}

/* An unlinked file for the names, 0600; -1 when none can be made. */
static int spill_open(void)
{
    const char *dir = getenv("TMPDIR");
    if (dir == NULL || *dir == '\0')
        dir = "/tmp";
#ifdef O_TMPFILE
    int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
        return fd;
#endif
    char path[4096];
    int len = snprintf(path, sizeof path, "%s/stc-seen-XXXXXX", dir);
    if (len < 0 || (size_t)len >= sizeof path)
        return -1;
    int tfd = mkostemp(path, O_CLOEXEC);
    if (tfd >= 0)
        unlink(path);
    return tfd;
}

/* Write the buffer at the file's end. 0 when spilling stops here: the
 * buffer then stays in memory as the arena's first chunk, at base. */
static int spill_flush(struct scan_seen *s)
{
    if (s->fd < 0 && (s->fd = spill_open()) < 0) {
        s->spill = 0;
        return 0;
    }
    for (size_t done = 0; done < s->used;) {
        ssize_t w = pwrite(s->fd, s->chunks[0] + done, s->used - done, (off_t)(s->base + done));
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            s->spill = 0; /* a partly written tail is never read: its names stay here */
            return 0;
        }
        done += (size_t)w;
    }
    s->base += s->used;
    s->used = 0;
    return 1;
}

/* A copy of key (n bytes + NUL) kept; its offset in *off. */
static stc_rc keep(struct scan_seen *s, const char *key, size_t n, uint32_t *off,
                   struct stc_err *err)
{
    if (n + 1 > SEEN_CHUNK)
        return err_set(err, STC_E_INVAL, "name of %zu bytes too long for a set", n);
    if (s->nchunks == 0 || SEEN_CHUNK - s->used < n + 1) {
        int flushed = s->spill && s->nchunks == 1 && spill_flush(s);
        if (!flushed) {
            if (s->base + (uint64_t)(s->nchunks + 1) * SEEN_CHUNK > OFF_END)
                return err_set(err, STC_E_LIMIT, "set of names past 4 GiB");
            char **c = realloc(s->chunks, (s->nchunks + 1) * sizeof *c);
            if (c == NULL)
                return err_set(err, STC_E_NOMEM, "out of memory (set of %zu names)", s->n);
            s->chunks = c;
            if ((c[s->nchunks] = malloc(SEEN_CHUNK)) == NULL)
                return err_set(err, STC_E_NOMEM, "out of memory (set of %zu names)", s->n);
            s->nchunks++;
            s->used = 0;
        }
    }
    uint64_t at = s->base + (uint64_t)(s->nchunks - 1) * SEEN_CHUNK + s->used;
    if (at + n + 1 > OFF_END)
        return err_set(err, STC_E_LIMIT, "set of names past 4 GiB");
    memcpy(s->chunks[s->nchunks - 1] + s->used, key, n + 1);
    *off = (uint32_t)at;
    s->used += n + 1;
    return STC_OK;
}

/* *same = 1 when the name kept at off is key (n bytes). */
static stc_rc same_name(const struct scan_seen *s, uint32_t off, const char *key, size_t n,
                        int *same, struct stc_err *err)
{
    if (off >= s->base) {
        uint64_t v = off - s->base;
        *same = strcmp(s->chunks[v / SEEN_CHUNK] + v % SEEN_CHUNK, key) == 0;
        return STC_OK;
    }
    /* In the file: compare key and its NUL piece by piece, up to the first difference. */
    char buf[512];
    for (size_t pos = 0; pos < n + 1;) {
        size_t want = n + 1 - pos < sizeof buf ? n + 1 - pos : sizeof buf;
        ssize_t r = pread(s->fd, buf, want, (off_t)off + (off_t)pos);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return err_set(err, STC_E_IO, "read (set of names, temporary file): %s",
                           strerror(errno));
        if (memcmp(buf, key + pos, (size_t)r) != 0) {
            *same = 0;
            return STC_OK;
        }
        if (r == 0) /* the name runs past the file's end: not what was written */
            return err_set(err, STC_E_IO, "read (set of names, temporary file): cut short");
        pos += (size_t)r;
    }
    *same = 1;
    return STC_OK;
}

static uint32_t tag_of(uint64_t h)
{
    uint32_t t = (uint32_t)(h >> 32);
    return t ? t : 1;
}

static size_t home(uint32_t tag, size_t cap)
{
    return (size_t)(((uint64_t)tag * cap) >> 32);
}

/* *at = the slot holding key, or the empty slot where it would go. */
static stc_rc find(const struct scan_seen *s, uint32_t tag, const char *key, size_t n, size_t *at,
                   struct stc_err *err)
{
    size_t i = home(tag, s->cap);
    while (s->slots[i].tag != 0) {
        if (s->slots[i].tag == tag) {
            int same = 0;
            stc_rc rc = same_name(s, s->slots[i].off, key, n, &same, err);
            if (rc != STC_OK)
                return rc;
            if (same)
                break;
        }
        i = i + 1 == s->cap ? 0 : i + 1;
    }
    *at = i;
    return STC_OK;
}

static uint64_t hash_of(const struct scan_seen *s, const char *key, size_t n)
{
    return (s->hash ? s->hash : scan_hash)(key, n);
}

static stc_rc grow(struct scan_seen *s, struct stc_err *err)
{
    size_t ncap = s->cap ? s->cap + s->cap / 2 : FIRST_CAP;
    if ((uint64_t)ncap > OFF_END)
        return err_set(err, STC_E_LIMIT, "set of %zu names too large", s->n);
    struct seen_slot *ns = calloc(ncap, sizeof *ns);
    if (ns == NULL)
        return err_set(err, STC_E_NOMEM, "out of memory (set of %zu names)", s->n);
    for (size_t i = 0; i < s->cap; i++) {
        if (s->slots[i].tag == 0)
            continue;
        size_t j = home(s->slots[i].tag, ncap);
        while (ns[j].tag != 0)
            j = j + 1 == ncap ? 0 : j + 1;
        ns[j] = s->slots[i];
    }
    free(s->slots);
    s->slots = ns;
    s->cap = ncap;
    return STC_OK;
}

stc_rc scan_seen_add(struct scan_seen *s, const char *key, int *was_new, struct stc_err *err)
{
    if ((s->n + 1) * 4 > s->cap * 3) {
        stc_rc rc = grow(s, err);
        if (rc != STC_OK)
            return rc;
    }
    size_t n = strlen(key), at = 0;
    uint32_t tag = tag_of(hash_of(s, key, n));
    stc_rc rc = find(s, tag, key, n, &at, err);
    if (rc != STC_OK)
        return rc;
    int fresh = s->slots[at].tag == 0;
    if (fresh) {
        uint32_t off = 0;
        rc = keep(s, key, n, &off, err);
        if (rc != STC_OK)
            return rc;
        s->slots[at].tag = tag;
        s->slots[at].off = off;
        s->n++;
    }
    if (was_new != NULL)
        *was_new = fresh;
    return STC_OK;
}

stc_rc scan_seen_find(const struct scan_seen *s, const char *key, int *found,
                      struct stc_err *err)
{
    *found = 0;
    if (s->cap == 0)
        return STC_OK;
    size_t n = strlen(key), at = 0;
    stc_rc rc = find(s, tag_of(hash_of(s, key, n)), key, n, &at, err);
    if (rc == STC_OK)
        *found = s->slots[at].tag != 0;
    return rc;
}

int scan_seen_has(const struct scan_seen *s, const char *key)
{
    struct stc_err e = {0};
    int found = 0;
    return scan_seen_find(s, key, &found, &e) == STC_OK && found;
}
