/* test_scan_seen - the duplicate / resume / unique-host set is exact, in memory
 * and spilled to a temporary file: names whose hashes collide (here: every
 * name, through a constant hash) stay distinct, names at the length limit and
 * at the spill buffer's edge are kept, the 1.5x growth keeps every name, a
 * temp dir that cannot be used leaves the set in memory, and a name that
 * cannot be read back is an error, never a guess. Each case that does not
 * name its mode runs in both (the prestate picks it). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scan/scan_seen.h"

#define CHUNK (64 * 1024)

static int in_memory = 0, spilled = 1;

static void init_mode(struct scan_seen *s, void **state)
{
    if (*(int *)*state)
        scan_seen_init_spill(s);
    else
        scan_seen_init(s);
}

static uint64_t same_hash(const void *p, size_t n)
{
    (void)p;
    (void)n;
    return 42;
}

/* fresh after adding name, and found afterwards. */
static int add(struct scan_seen *s, const char *name)
{
    struct stc_err err = {0};
    int fresh = -1;
    assert_int_equal(scan_seen_add(s, name, &fresh, &err), STC_OK);
    return fresh;
}

static int found(const struct scan_seen *s, const char *name)
{
    struct stc_err err = {0};
    int f = -1;
    assert_int_equal(scan_seen_find(s, name, &f, &err), STC_OK);
    assert_int_equal(scan_seen_has(s, name), f);
    return f;
}

/* A name of len bytes: tag, then filler, then the tag again (differs at both ends). */
static char *long_name(size_t len, int tag, char fill)
{
    char *p = malloc(len + 1);
    assert_non_null(p);
    memset(p, fill, len);
    char t[16];
    int k = snprintf(t, sizeof t, "%d.", tag);
    memcpy(p, t, (size_t)k < len ? (size_t)k : len);
    if (len > (size_t)k)
        memcpy(p + len - (size_t)k, t, (size_t)k);
    p[len] = '\0';
    return p;
}

/* Add "dI.scale.test" for I in [from, to): each fresh (want 1) or known (want 0). */
static void add_range(struct scan_seen *s, int from, int to, int want)
{
    char name[64];
    for (int i = from; i < to; i++) {
        snprintf(name, sizeof name, "d%d.scale.test", i);
        assert_int_equal(add(s, name), want);
    }
}

static void test_colliding_names_stay_distinct(void **state)
{
    struct scan_seen s;
    init_mode(&s, state);
    s.hash = same_hash; /* the worst case a crafted name could reach */
    assert_int_equal(add(&s, "victim.example"), 1);
    assert_int_equal(add(&s, "crafted.example"), 1);
    assert_int_equal(add(&s, "victim.example"), 0);
    assert_true(found(&s, "crafted.example"));
    assert_false(found(&s, "other.example"));
    /* Names that share all but their last byte, or are prefixes of each
     * other, longer than one read-back piece; 40 of 2,000 bytes pass the
     * 64 KiB buffer, so the spilled set reads them from its file. */
    char *names[40];
    for (int i = 0; i < 40; i++) {
        names[i] = long_name(2000 + (size_t)(i % 4), i / 4, 'x');
        assert_int_equal(add(&s, names[i]), 1);
    }
    if (*(int *)*state)
        assert_true(s.base > 0);
    for (int i = 0; i < 40; i++) {
        assert_int_equal(add(&s, names[i]), 0);
        names[i][1000] = 'y';
        assert_false(found(&s, names[i]));
        names[i][1000] = 'x';
        char longer[2100];
        snprintf(longer, sizeof longer, "%sz", names[i]); /* a kept name plus one byte */
        assert_false(found(&s, longer));
        names[i][1999] = '\0'; /* a kept name less its last bytes: no kept name */
        assert_false(found(&s, names[i]));
        free(names[i]);
    }
    assert_true(found(&s, "victim.example"));
    assert_int_equal(s.n, 42);
    scan_seen_free(&s);
}

static void test_many_names_exact(void **state)
{
    struct scan_seen s;
    char name[64];
    init_mode(&s, state);
    for (int i = 0; i < 50000; i++) {
        snprintf(name, sizeof name, "d%d.example", i);
        assert_int_equal(add(&s, name), 1);
    }
    for (int i = 0; i < 50000; i++) {
        snprintf(name, sizeof name, "d%d.example", i);
        assert_true(found(&s, name));
        assert_int_equal(add(&s, name), 0);
    }
    assert_false(found(&s, "d50000.example"));
    assert_int_equal(s.n, 50000);
    if (*(int *)*state) /* spilled: only the 64 KiB buffer stays in memory */
        assert_int_equal(s.nchunks, 1);
    scan_seen_free(&s);
}

/* Names fill 64 KiB chunks without straddling them; the longest name that
 * fits one is kept, a longer one is refused (never truncated); the empty
 * name is a name. */
static void test_chunk_edges(void **state)
{
    struct scan_seen s;
    struct stc_err err = {0};
    int fresh = 0;
    static char big[CHUNK + 1];
    init_mode(&s, state);
    assert_int_equal(add(&s, "first.example"), 1);
    memset(big, 'a', CHUNK - 1); /* 65535 bytes + NUL: a whole chunk */
    big[CHUNK - 1] = '\0';
    assert_int_equal(add(&s, big), 1);
    assert_int_equal(add(&s, "after.example"), 1);
    assert_true(found(&s, big));
    assert_int_equal(add(&s, big), 0);
    big[CHUNK - 2] = 'b';
    assert_false(found(&s, big));
    big[CHUNK - 2] = 'a';
    assert_true(found(&s, "first.example"));
    assert_true(found(&s, "after.example"));
    assert_false(found(&s, ""));
    assert_int_equal(add(&s, ""), 1);
    assert_int_equal(add(&s, ""), 0);
    memset(big, 'b', sizeof big - 1); /* 65536 bytes: too long */
    big[sizeof big - 1] = '\0';
    assert_int_equal(scan_seen_add(&s, big, &fresh, &err), STC_E_INVAL);
    assert_false(found(&s, big));
    assert_int_equal(s.n, 4);
    scan_seen_free(&s);
}

/* 1024 slots, then 1.5x each time the next add would pass 3/4 full; every
 * name is found across each growth, also when all tags are the same. */
static void test_growth_boundaries(void **state)
{
    static const size_t caps[] = {1024, 1536, 2304, 3456, 5184};
    char name[64];
    for (int collide = 0; collide < 2; collide++) {
        struct scan_seen s;
        init_mode(&s, state);
        if (collide)
            s.hash = same_hash;
        size_t ncaps = sizeof caps / sizeof *caps, total = collide ? 800 : 5184 * 3 / 4, k = 0;
        for (size_t i = 0; i < total; i++) {
            while (k + 1 < ncaps && i >= caps[k] * 3 / 4)
                k++;
            snprintf(name, sizeof name, "g%zu.scale.test", i);
            assert_int_equal(add(&s, name), 1);
            assert_int_equal(s.cap, caps[k]); /* i + 1 names: at most 3/4 full */
            assert_true((i + 1) * 4 <= s.cap * 3);
            int edge = 0; /* the table 3/4 full, or just grown */
            for (size_t c = 0; c < ncaps; c++)
                edge |= i + 1 == caps[c] * 3 / 4 || i == caps[c] * 3 / 4;
            if (edge) {
                for (size_t j = 0; j <= i; j++) {
                    snprintf(name, sizeof name, "g%zu.scale.test", j);
                    assert_int_equal(add(&s, name), 0);
                }
            }
        }
        snprintf(name, sizeof name, "g%zu.scale.test", total);
        assert_false(found(&s, name));
        scan_seen_free(&s);
    }
}

/* Spilled: a name that fills the buffer exactly stays in it; the next one
 * flushes it; a name one byte too long for the room left goes whole into
 * the next buffer (a name never straddles the flush), and each is read
 * back from where it is. */
static void test_spill_buffer_edges(void **state)
{
    (void)state;
    struct scan_seen s;
    scan_seen_init_spill(&s);
    s.hash = same_hash; /* every lookup reads every name back */
    char *a = long_name(1000, 1, 'a');
    char *fill = long_name(CHUNK - 1001 - 1, 2, 'f'); /* a + fill = the whole buffer */
    assert_int_equal(add(&s, a), 1);
    assert_int_equal(add(&s, fill), 1);
    assert_int_equal(s.used, CHUNK);
    assert_int_equal(s.base, 0);
    assert_int_equal(s.fd, -1); /* no file before the first flush */
    assert_int_equal(add(&s, fill), 0); /* from the buffer */
    assert_int_equal(add(&s, "c.test"), 1);
    assert_int_equal(s.base, CHUNK);
    assert_true(s.fd >= 0);
    assert_int_equal(s.used, 7);
    char *d = long_name(CHUNK - 7 - 1 + 1, 3, 'd'); /* one byte more than the room left */
    assert_int_equal(add(&s, d), 1);
    assert_int_equal(s.base, CHUNK + 7);
    assert_int_equal(s.used, CHUNK - 7 + 1);
    assert_int_equal(s.nchunks, 1);
    char *names[] = {a, fill, "c.test", d};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(add(&s, names[i]), 0);
    d[CHUNK - 8] = 'x'; /* the last byte of the name differs */
    assert_false(found(&s, d));
    assert_int_equal(add(&s, "e.test"), 1); /* d to the file */
    assert_int_equal(s.base, CHUNK + 7 + CHUNK - 6);
    assert_false(found(&s, d)); /* read back, 64 KiB */
    d[CHUNK - 8] = '.';
    assert_true(found(&s, d));
    assert_int_equal(s.n, 5);
    free(a);
    free(fill);
    free(d);
    scan_seen_free(&s);
}

/* Spilled, with no usable temp dir: the names stay in memory, all found. */
static void test_spill_fallback_no_tmpdir(void **state)
{
    (void)state;
    const char *dirs[] = {"/nonexistent-stc-test/dir", "/proc/self/status"}; /* none, a file */
    char *old = getenv("TMPDIR") ? strdup(getenv("TMPDIR")) : NULL;
    for (size_t k = 0; k < sizeof dirs / sizeof *dirs; k++) {
        struct scan_seen s;
        assert_int_equal(setenv("TMPDIR", dirs[k], 1), 0);
        scan_seen_init_spill(&s);
        add_range(&s, 0, 20000, 1);
        assert_int_equal(s.fd, -1);
        assert_int_equal(s.spill, 0);
        assert_int_equal(s.base, 0);
        assert_true(s.nchunks > 1);
        add_range(&s, 0, 20000, 0);
        assert_false(found(&s, "d20000.scale.test"));
        scan_seen_free(&s);
    }
    if (old)
        setenv("TMPDIR", old, 1);
    else
        unsetenv("TMPDIR");
    free(old);
}

/* Reopen the spill file read-only in place of its descriptor: writes fail, reads work. */
static void make_read_only(struct scan_seen *s)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", s->fd);
    int ro = open(path, O_RDONLY | O_CLOEXEC);
    assert_true(ro >= 0);
    assert_true(dup2(ro, s->fd) == s->fd);
    close(ro);
}

/* A write that fails after names were spilled: the written names are still
 * read from the file, the rest stay in memory, nothing is lost. */
static void test_spill_write_failure_falls_back(void **state)
{
    (void)state;
    struct scan_seen s;
    scan_seen_init_spill(&s);
    add_range(&s, 0, 10000, 1);
    assert_true(s.base > 0);
    uint64_t written = s.base;
    make_read_only(&s);
    add_range(&s, 10000, 30000, 1);
    assert_int_equal(s.spill, 0);
    assert_int_equal(s.base, written);
    assert_true(s.nchunks > 1);
    add_range(&s, 0, 30000, 0);
    assert_false(found(&s, "d30000.scale.test"));
    scan_seen_free(&s);
}

/* A spilled name that cannot be read back (a descriptor that cannot read,
 * a file cut short) is STC_E_IO from add and find, never "new" or "absent". */
static void test_spill_read_error(void **state)
{
    (void)state;
    for (int how = 0; how < 2; how++) {
        struct scan_seen s;
        struct stc_err err = {0};
        int fresh = -1, f = -1;
        scan_seen_init_spill(&s);
        s.hash = same_hash; /* a lookup must read the first name */
        char *a = long_name(40000, 1, 'a');
        char *b = long_name(40000, 2, 'b');
        assert_int_equal(add(&s, a), 1);
        assert_int_equal(add(&s, b), 1); /* flushes a */
        assert_int_equal(s.base, 40001);
        if (how == 0) {
            int wo = open("/dev/null", O_WRONLY | O_CLOEXEC);
            assert_true(wo >= 0);
            assert_true(dup2(wo, s.fd) == s.fd);
            close(wo);
        } else {
            assert_int_equal(ftruncate(s.fd, 20000), 0);
        }
        assert_int_equal(scan_seen_add(&s, a, &fresh, &err), STC_E_IO);
        assert_int_equal(fresh, -1);
        assert_int_equal(scan_seen_find(&s, a, &f, &err), STC_E_IO);
        assert_non_null(strstr(err.msg, "temporary file"));
        if (how == 0) { /* nothing can be read: every tag match is an error */
            assert_int_equal(scan_seen_add(&s, "new.test", &fresh, &err), STC_E_IO);
            assert_int_equal(scan_seen_find(&s, b, &f, &err), STC_E_IO);
        }
        assert_int_equal(s.n, 2);
        free(a);
        free(b);
        scan_seen_free(&s);
    }
}

#define BOTH(t)                                                                                    \
    {#t " (in memory)", t, NULL, NULL, &in_memory}, { #t " (spilled)", t, NULL, NULL, &spilled }

int main(void)
{
    const struct CMUnitTest tests[] = {
        BOTH(test_colliding_names_stay_distinct),
        BOTH(test_many_names_exact),
        BOTH(test_chunk_edges),
        BOTH(test_growth_boundaries),
        cmocka_unit_test(test_spill_buffer_edges),
        cmocka_unit_test(test_spill_fallback_no_tmpdir),
        cmocka_unit_test(test_spill_write_failure_falls_back),
        cmocka_unit_test(test_spill_read_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
