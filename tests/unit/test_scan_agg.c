/* test_scan_agg - the aggregator over hand-built trees; the host blob encoding
 * round trip (and hostile blobs); the JSON Lines resume reader with a torn line;
 * the seen set. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <starttls/json.h>

#include "result/result_tree.h"
#include "scan/scan_agg.h"
#include "scan/scan_jsonl.h"
#include "scan/scan_serial.h"

static struct stc_result *host(const char *name, int connected, int tls, int valid,
                               const char *version, int weak)
{
    struct stc_result *h = result_new(STC_NODE_HOST, name, "host");
    result_fact_str(h, "hostname", name);
    struct stc_result *c = result_add_check(h, "connectivity", "c");
    if (!connected) {
        result_msg(c, STC_STATUS_ERROR, "refused");
        return h;
    }
    struct stc_result *s = result_add_check(h, "starttls", "s");
    result_fact_bool(s, "handshake", tls);
    if (tls) {
        struct stc_result *ce = result_add_check(h, "certificate", "c");
        result_fact_bool(ce, "valid", valid);
        if (!valid)
            result_msg(ce, STC_STATUS_FAILURE, "bad cert");
        struct stc_result *v = result_add_check(h, "version", "v");
        result_fact_str(v, "negotiated", version);
        struct stc_result *ci = result_add_check(h, "cipher", "c");
        if (weak)
            result_msg(ci, STC_STATUS_WARNING, "weak");
    }
    result_rollup(h);
    return h;
}

static struct stc_result *domain(const char *name, stc_domain_status ds, const char *mode)
{
    struct stc_result *d = result_new(STC_NODE_DOMAIN, name, "d");
    result_fact_list(d, "mx_hosts");
    result_set_domain_status(d, ds);
    if (mode) {
        struct stc_result *m = result_add_check(d, "mta_sts", "m");
        result_fact_str(m, "mode", mode);
    }
    return d;
}

static void test_aggregate(void **state)
{
    (void)state;
    struct scan_agg a;
    struct stc_err err = {0};
    scan_agg_init(&a);
    /* d1: two hosts, both good, TLS 1.3; enforce */
    struct stc_result *d1 = domain("d1.test", STC_DOMAIN_SUCCESS, "enforce");
    result_fact_list_add(d1, "mx_hosts", "mx1.p.test");
    result_add(d1, host("mx1.p.test", 1, 1, 1, "TLSv1.3", 0));
    result_add(d1, host("mx2.p.test", 1, 1, 1, "TLSv1.2", 1));
    /* d2: shares mx1 (counted once), testing */
    struct stc_result *d2 = domain("d2.test", STC_DOMAIN_SUCCESS, "testing");
    result_fact_list_add(d2, "mx_hosts", "mx1.p.test");
    result_add(d2, host("mx1.p.test", 1, 1, 1, "TLSv1.3", 0));
    /* d3: no STARTTLS on one host */
    struct stc_result *d3 = domain("d3.test", STC_DOMAIN_NO_STARTTLS, NULL);
    result_fact_list_add(d3, "mx_hosts", "mx.plain.test");
    result_add(d3, host("mx.plain.test", 1, 0, 0, NULL, 0));
    /* d4: nothing connects; d5: no MX */
    struct stc_result *d4 = domain("d4.test", STC_DOMAIN_COULD_NOT_CONNECT, NULL);
    result_fact_list_add(d4, "mx_hosts", "mx.down.test");
    result_add(d4, host("mx.down.test", 0, 0, 0, NULL, 0));
    struct stc_result *d5 = domain("d5.test", STC_DOMAIN_ERROR, NULL);
    struct stc_result *all[] = {d1, d2, d3, d4, d5};
    for (int i = 0; i < 5; i++)
        assert_int_equal(scan_agg_add(&a, all[i], &err), STC_OK);
    const struct stc_scan_stats *st = &a.st;
    assert_int_equal(st->attempted, 5);
    assert_int_equal(st->with_mx, 4);
    assert_int_equal(st->mtasts_enforce, 1);
    assert_int_equal(st->mtasts_testing, 1);
    assert_int_equal(st->connected, 3);
    assert_int_equal(st->starttls_all, 2);
    assert_int_equal(st->valid_cert_all, 2);
    assert_int_equal(st->status[STC_DOMAIN_SUCCESS], 2);
    assert_int_equal(st->status[STC_DOMAIN_NO_STARTTLS], 1);
    assert_int_equal(st->status[STC_DOMAIN_COULD_NOT_CONNECT], 1);
    assert_int_equal(st->status[STC_DOMAIN_ERROR], 1);
    assert_int_equal(st->unique_hosts, 4);
    assert_int_equal(st->hosts_connected, 3);
    assert_int_equal(st->hosts_starttls, 2);
    assert_int_equal(st->tls_versions[0], 1);
    assert_int_equal(st->tls_versions[1], 1);
    assert_int_equal(st->hosts_weak_cipher, 1);
    FILE *f = tmpfile();
    assert_int_equal(stc_scan_stats_json(st, f, &err), STC_OK);
    assert_int_equal(stc_scan_stats_print(st, f, &err), STC_OK);
    fclose(f);
    for (int i = 0; i < 5; i++)
        stc_result_free(all[i]);
    scan_agg_free(&a);
}

static void test_serial_round_trip(void **state)
{
    (void)state;
    struct stc_err err = {0};
    struct stc_result *h = host("mx1.p.test", 1, 1, 0, "TLSv1.2", 1);
    result_fact_int(h, "preference", 10);
    result_fact_list(h, "empty");
    result_recommend(h, "fix %s", "it");
    result_set_type(stc_result_find(h, "certificate") ? result_find_mut(h, "certificate") : h,
                    "certificate-expired");
    struct buf b;
    buf_init(&b, 1 << 20);
    assert_int_equal(scan_serial_encode(h, &b, &err), STC_OK);
    struct stc_result *back = NULL;
    assert_int_equal(scan_serial_decode(b.data, b.len, &back, &err), STC_OK);
    char *j1 = NULL, *j2 = NULL;
    assert_int_equal(stc_result_to_json(h, STC_JSON_COMPACT, &j1, &err), STC_OK);
    assert_int_equal(stc_result_to_json(back, STC_JSON_COMPACT, &j2, &err), STC_OK);
    assert_string_equal(j1, j2);
    free(j1);
    free(j2);
    stc_result_free(back);
    /* Every truncation and a flipped byte are rejected or decode cleanly, never crash. */
    for (size_t n = 0; n < b.len; n++) {
        back = NULL;
        stc_err_clear(&err);
        assert_int_not_equal(scan_serial_decode(b.data, n, &back, &err), STC_OK);
        assert_null(back);
    }
    for (size_t i = 0; i < b.len; i++) {
        uint8_t save = b.data[i];
        b.data[i] ^= 0xff;
        back = NULL;
        stc_err_clear(&err);
        if (scan_serial_decode(b.data, b.len, &back, &err) == STC_OK)
            stc_result_free(back);
        b.data[i] = save;
    }
    buf_free(&b);
    stc_result_free(h);
}

static void test_jsonl_torn_line(void **state)
{
    (void)state;
    char path[] = "/tmp/test_scan_jsonl.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char good[] =
        "{\"domain\":\"a.test\",\"status\":0}\n{\"domain\":\"b.test\",\"status\":1}\n";
    const char torn[] = "{\"domain\":\"c.test\",\"sta";
    assert_int_equal(write(fd, good, sizeof good - 1), (ssize_t)(sizeof good - 1));
    assert_int_equal(write(fd, torn, sizeof torn - 1), (ssize_t)(sizeof torn - 1));
    close(fd);
    struct scan_seen done;
    struct stc_err err = {0};
    uint64_t n = 0;
    scan_seen_init(&done);
    assert_int_equal(scan_jsonl_load(path, &done, &n, &err), STC_OK);
    assert_int_equal(n, 2);
    assert_true(scan_seen_has(&done, "a.test"));
    assert_true(scan_seen_has(&done, "b.test"));
    assert_false(scan_seen_has(&done, "c.test"));
    FILE *f = fopen(path, "r");
    fseek(f, 0, SEEK_END);
    assert_int_equal(ftell(f), (long)(sizeof good - 1)); /* torn line cut */
    fclose(f);
    /* Filter: keep a.test only. */
    struct scan_seen keep;
    scan_seen_init(&keep);
    assert_int_equal(scan_seen_add(&keep, "a.test", NULL, &err), STC_OK);
    uint64_t dropped = 0;
    assert_int_equal(scan_jsonl_filter(path, &keep, &dropped, &err), STC_OK);
    assert_int_equal(dropped, 1);
    scan_seen_free(&done);
    scan_seen_init(&done);
    assert_int_equal(scan_jsonl_load(path, &done, &n, &err), STC_OK);
    assert_int_equal(n, 1);
    scan_seen_free(&done);
    scan_seen_free(&keep);
    unlink(path);
    /* Only a regular file is rewritten: a FIFO or a device (-o /dev/null)
     * must never be replaced by the rename. */
    char fifo[] = "/tmp/test_scan_fifo.XXXXXX";
    assert_non_null(mkdtemp(fifo));
    char fpath[64];
    snprintf(fpath, sizeof fpath, "%s/out", fifo);
    assert_int_equal(mkfifo(fpath, 0600), 0);
    scan_seen_init(&keep);
    assert_int_equal(scan_jsonl_filter(fpath, &keep, &dropped, &err), STC_E_IO);
    struct stat st;
    assert_int_equal(stat(fpath, &st), 0);
    assert_true(S_ISFIFO(st.st_mode));
    scan_seen_free(&keep);
    unlink(fpath);
    rmdir(fifo);
    /* A missing file is an empty set. */
    scan_seen_init(&done);
    assert_int_equal(scan_jsonl_load("/nonexistent/x.jsonl", &done, &n, &err), STC_OK);
    assert_int_equal(n, 0);
    scan_seen_free(&done);
    char d[256];
    assert_false(scan_jsonl_domain("{\"domain\":\"x\\\"y\"}", 17, d, sizeof d));
    assert_false(scan_jsonl_domain("{\"other\":1}", 11, d, sizeof d));
}

static void test_seen(void **state)
{
    (void)state;
    struct scan_seen s;
    struct stc_err err = {0};
    int fresh;
    char k[32];
    scan_seen_init(&s);
    for (int i = 0; i < 100000; i++) {
        snprintf(k, sizeof k, "d%d.test", i);
        assert_int_equal(scan_seen_add(&s, k, &fresh, &err), STC_OK);
        assert_true(fresh);
    }
    assert_int_equal(scan_seen_add(&s, "d77.test", &fresh, &err), STC_OK);
    assert_false(fresh);
    assert_true(scan_seen_has(&s, "d99999.test"));
    assert_false(scan_seen_has(&s, "d100000.test"));
    assert_int_equal(s.n, 100000);
    scan_seen_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_aggregate),
        cmocka_unit_test(test_serial_round_trip),
        cmocka_unit_test(test_jsonl_torn_line),
        cmocka_unit_test(test_seen),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
