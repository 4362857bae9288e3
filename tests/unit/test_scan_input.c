/* test_scan_input - the domain list reader: CSV forms, comments, blanks, bad lines, NUL,
 * a 10 KB line, BOM, CRLF, a missing final newline, the line counter. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scan/scan_input.h"

#define MAXL 64

struct got {
    size_t n;
    struct scan_line l[MAXL];
};

/* Write data to a temporary file and read it all back through scan_input. */
static void read_all(const void *data, size_t n, int column, struct got *g)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fflush(f);
    rewind(f);
    struct scan_input in;
    struct stc_err err = {0};
    assert_int_equal(scan_input_init(&in, fileno(f), column, &err), STC_OK);
    g->n = 0;
    for (;;) {
        assert_true(g->n < MAXL);
        struct scan_line *l = &g->l[g->n];
        assert_int_equal(scan_input_next(&in, l, &err), STC_OK);
        if (l->kind == SCAN_LINE_EOF)
            break;
        if (l->kind != SCAN_LINE_SKIP)
            g->n++;
    }
    scan_input_free(&in);
    fclose(f);
}

static void test_forms(void **state)
{
    (void)state;
    struct got g;
    const char top[] = "1,google.com\n2,Example.ORG.\n3, \"quoted.test\" \n";
    read_all(top, sizeof top - 1, -1, &g);
    assert_int_equal(g.n, 3);
    assert_string_equal(g.l[0].domain, "google.com");
    assert_string_equal(g.l[1].domain, "example.org");
    assert_string_equal(g.l[2].domain, "quoted.test");
    assert_int_equal(g.l[2].lineno, 3);

    const char one[] = "a.test\nb.test\n";
    read_all(one, sizeof one - 1, -1, &g);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.l[1].domain, "b.test");

    const char cols[] = "x,y,c.test,z\nx,y,d.test\nx,y\n";
    read_all(cols, sizeof cols - 1, 2, &g);
    assert_int_equal(g.n, 3);
    assert_string_equal(g.l[0].domain, "c.test");
    assert_string_equal(g.l[1].domain, "d.test");
    assert_int_equal(g.l[2].kind, SCAN_LINE_REJECT);
    assert_non_null(strstr(g.l[2].reason, "too few columns"));

    /* The original's -column 0 on a one-column file. */
    read_all(one, sizeof one - 1, 0, &g);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.l[0].domain, "a.test");
}

static void test_skips_and_header(void **state)
{
    (void)state;
    struct got g;
    const char t[] = "# comment\n\n   \n\t\nrank,domain\n  # indented comment\n1,a.test\n";
    read_all(t, sizeof t - 1, -1, &g);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.l[0].domain, "a.test");
    assert_int_equal(g.l[0].lineno, 7);
    /* "domain" later in the file is not a header: it is a (valid) name. */
    const char t2[] = "a.test\ndomain\n";
    read_all(t2, sizeof t2 - 1, -1, &g);
    assert_int_equal(g.n, 2);
}

static void test_bad_lines(void **state)
{
    (void)state;
    struct got g;
    const char t[] = "1,2,a.test\nx,b.test\n1,bad..test\n1,\n1,-lead.test\n1,ok.test\n";
    read_all(t, sizeof t - 1, -1, &g);
    assert_int_equal(g.n, 6);
    assert_int_equal(g.l[0].kind, SCAN_LINE_REJECT);
    assert_non_null(strstr(g.l[0].reason, "too many columns"));
    assert_int_equal(g.l[1].kind, SCAN_LINE_REJECT);
    assert_non_null(strstr(g.l[1].reason, "not a rank"));
    assert_int_equal(g.l[2].kind, SCAN_LINE_REJECT);
    assert_non_null(strstr(g.l[2].reason, "invalid domain"));
    assert_int_equal(g.l[3].kind, SCAN_LINE_REJECT);
    assert_int_equal(g.l[4].kind, SCAN_LINE_REJECT);
    assert_int_equal(g.l[5].kind, SCAN_LINE_DOMAIN);
    assert_int_equal(g.l[5].lineno, 6);
    assert_string_equal(g.l[2].text, "1,bad..test");
}

static void test_nul(void **state)
{
    (void)state;
    struct got g;
    const char t[] = "1,a\0b.test\n2,c.test\n\0\n";
    read_all(t, sizeof t - 1, -1, &g);
    assert_int_equal(g.n, 3);
    assert_int_equal(g.l[0].kind, SCAN_LINE_REJECT);
    assert_non_null(strstr(g.l[0].reason, "NUL"));
    assert_non_null(strstr(g.l[0].text, "\\x00"));
    assert_string_equal(g.l[1].domain, "c.test");
    assert_int_equal(g.l[2].kind, SCAN_LINE_REJECT);
    assert_int_equal(g.l[2].lineno, 3);
}

static void test_long_line(void **state)
{
    (void)state;
    struct got g;
    size_t big = 10 * 1024;
    char *t = malloc(big + 64);
    assert_non_null(t);
    memcpy(t, "1,a.test\n2,", 11);
    memset(t + 11, 'x', big);
    memcpy(t + 11 + big, ".test\n3,b.test\n", 15);
    read_all(t, 11 + big + 15, -1, &g);
    assert_int_equal(g.n, 3);
    assert_string_equal(g.l[0].domain, "a.test");
    assert_int_equal(g.l[1].kind, SCAN_LINE_REJECT);
    assert_non_null(strstr(g.l[1].reason, "longer than"));
    assert_int_equal(g.l[1].lineno, 2);
    assert_string_equal(g.l[2].domain, "b.test");
    assert_int_equal(g.l[2].lineno, 3);

    /* A huge last line without a newline, spanning many reads. */
    size_t huge = 300 * 1024;
    char *u = malloc(huge + 16);
    assert_non_null(u);
    memcpy(u, "a.test\n", 7);
    memset(u + 7, 'y', huge);
    read_all(u, 7 + huge, -1, &g);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.l[1].kind, SCAN_LINE_REJECT);
    free(u);
    free(t);
}

static void test_bom_crlf_no_final_newline(void **state)
{
    (void)state;
    struct got g;
    const char t[] = "\xef\xbb\xbf"
                     "1,a.test\r\n2,b.test\r\n3,c.test";
    read_all(t, sizeof t - 1, -1, &g);
    assert_int_equal(g.n, 3);
    assert_string_equal(g.l[0].domain, "a.test");
    assert_string_equal(g.l[1].domain, "b.test");
    assert_string_equal(g.l[2].domain, "c.test");
    /* A BOM later than line 1 is not stripped here; IDNA (UTS#46) maps U+FEFF away. */
    const char t2[] = "a.test\n\xef\xbb\xbf"
                      "b.test\n";
    read_all(t2, sizeof t2 - 1, -1, &g);
    assert_int_equal(g.l[1].kind, SCAN_LINE_DOMAIN);
    assert_string_equal(g.l[1].domain, "b.test");
}

static void test_idna(void **state)
{
    (void)state;
    struct got g;
    const char t[] = "1,b\xc3\xbc"
                     "cher.test\n";
    read_all(t, sizeof t - 1, -1, &g);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.l[0].domain, "xn--bcher-kva.test");
}

static void test_count(void **state)
{
    (void)state;
    const char t[] = "# c\n1,a\n\n  \n2,b\n  #x\n3,c";
    FILE *f = tmpfile();
    fwrite(t, 1, sizeof t - 1, f);
    fflush(f);
    uint64_t n = 0;
    struct stc_err err = {0};
    assert_int_equal(scan_input_count(fileno(f), &n, &err), STC_OK);
    assert_int_equal(n, 3);
    fclose(f);
    int p[2];
    assert_int_equal(pipe(p), 0);
    assert_int_equal(scan_input_count(p[0], &n, &err), STC_E_INVAL);
    close(p[0]);
    close(p[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forms),     cmocka_unit_test(test_skips_and_header),
        cmocka_unit_test(test_bad_lines), cmocka_unit_test(test_nul),
        cmocka_unit_test(test_long_line), cmocka_unit_test(test_bom_crlf_no_final_newline),
        cmocka_unit_test(test_idna),      cmocka_unit_test(test_count),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
