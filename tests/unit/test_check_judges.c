/* Unit tests for the host check judges, on hand-made observations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "checks/checks.h"
#include "probe/host_obs.h"

static void good_obs(struct host_obs *o)
{
    memset(o, 0, sizeof *o);
    snprintf(o->host, sizeof o->host, "mx.example.com");
    snprintf(o->address, sizeof o->address, "127.77.1.2");
    o->resolved = o->connected = o->banner_ok = 1;
    o->naddrs = 1;
    o->banner_code = 220;
    o->ehlo_ok = 1;
    o->ehlo_code = 250;
    o->ext.starttls = 1;
    o->starttls_sent = 1;
    o->starttls_code = 220;
    o->handshake_ok = 1;
    o->ehlo_tls_ok = 1;
    o->info.version = TLS_V_1_3;
    snprintf(o->info.version_name, sizeof o->info.version_name, "TLSv1.3");
    snprintf(o->info.cipher, sizeof o->info.cipher, "TLS_AES_256_GCM_SHA384");
    o->info.cipher_bits = 256;
    o->info.have_cert = 1;
    o->info.chain_trusted = 1;
    o->info.name_matches = 1;
    o->info.name_in_san = 1;
    o->info.days_to_expiry = 200;
    o->info.problem = TLS_CERT_OK;
}

static struct stc_result *judge_all(const struct host_obs *o)
{
    struct stc_result *h = result_new(STC_NODE_HOST, o->host, NULL);
    check_connectivity(o, h);
    check_starttls(o, h);
    if (o->handshake_ok) {
        check_certificate(o, h);
        check_version(o, h);
        check_cipher(o, h);
    }
    result_rollup(h);
    return h;
}

static const struct stc_result *check(const struct stc_result *h, const char *name)
{
    const struct stc_result *c = stc_result_find(h, name);
    assert_non_null(c);
    return c;
}

static void good_host_succeeds(void **state)
{
    (void)state;
    struct host_obs o;
    good_obs(&o);
    struct stc_result *h = judge_all(&o);
    assert_int_equal(stc_result_status(h), STC_STATUS_SUCCESS);
    long long v;
    assert_true(stc_result_get_int(check(h, CHECK_CERTIFICATE), "valid", &v));
    assert_int_equal(v, 1);
    assert_string_equal(stc_result_get_str(check(h, CHECK_VERSION), "negotiated"), "TLSv1.3");
    assert_null(stc_result_type(check(h, CHECK_CERTIFICATE)));
    stc_result_free(h);
}

static void no_starttls_is_failure_with_type(void **state)
{
    (void)state;
    struct host_obs o;
    good_obs(&o);
    o.ext.starttls = 0;
    o.starttls_sent = 0;
    o.starttls_code = 0;
    o.handshake_ok = 0;
    struct stc_result *h = judge_all(&o);
    const struct stc_result *s = check(h, CHECK_STARTTLS);
    assert_int_equal(stc_result_status(s), STC_STATUS_FAILURE);
    assert_string_equal(stc_result_type(s), "starttls-not-supported");
    assert_true(stc_result_recommendation_count(s) > 0);
    assert_null(stc_result_find(h, CHECK_CERTIFICATE));
    stc_result_free(h);
}

static void starttls_454_is_failure(void **state)
{
    (void)state;
    struct host_obs o;
    good_obs(&o);
    o.starttls_code = 454;
    snprintf(o.starttls_text, sizeof o.starttls_text, "4.7.0 TLS not available");
    o.handshake_ok = 0;
    struct stc_result *h = judge_all(&o);
    const struct stc_result *s = check(h, CHECK_STARTTLS);
    assert_int_equal(stc_result_status(s), STC_STATUS_FAILURE);
    assert_non_null(strstr(stc_result_message(s, 0), "454"));
    stc_result_free(h);
}

static void throttled_is_error_not_no_starttls(void **state)
{
    (void)state;
    struct host_obs o;
    good_obs(&o);
    o.banner_ok = 0;
    o.banner_code = 421;
    o.throttled = 1;
    snprintf(o.banner, sizeof o.banner, "4.7.0 Try again later");
    struct stc_result *h = result_new(STC_NODE_HOST, o.host, NULL);
    check_connectivity(&o, h);
    const struct stc_result *c = check(h, CHECK_CONNECTIVITY);
    assert_int_equal(stc_result_status(c), STC_STATUS_ERROR);
    assert_non_null(strstr(stc_result_message(c, 0), "throttling"));
    assert_null(stc_result_type(c));
    stc_result_free(h);
}

static void unresolvable_and_refused_are_errors(void **state)
{
    (void)state;
    struct host_obs o;
    good_obs(&o);
    o.resolved = o.connected = 0;
    snprintf(o.dns_err.msg, sizeof o.dns_err.msg, "no such name");
    struct stc_result *h = result_new(STC_NODE_HOST, o.host, NULL);
    check_connectivity(&o, h);
    assert_int_equal(stc_result_status(check(h, CHECK_CONNECTIVITY)), STC_STATUS_ERROR);
    assert_non_null(strstr(stc_result_message(check(h, CHECK_CONNECTIVITY), 0), "resolve"));
    stc_result_free(h);

    good_obs(&o);
    o.connected = 0;
    snprintf(o.conn_err.msg, sizeof o.conn_err.msg, "connection refused");
    h = result_new(STC_NODE_HOST, o.host, NULL);
    check_connectivity(&o, h);
    assert_non_null(strstr(stc_result_message(check(h, CHECK_CONNECTIVITY), 0), "refused"));
    stc_result_free(h);
}

static void expired_certificate(void **state)
{
    (void)state;
    struct host_obs o;
    good_obs(&o);
    o.info.days_to_expiry = -3;
    o.info.problem = TLS_CERT_EXPIRED;
    struct stc_result *h = judge_all(&o);
    const struct stc_result *c = check(h, CHECK_CERTIFICATE);
    assert_int_equal(stc_result_status(c), STC_STATUS_FAILURE);
    assert_string_equal(stc_result_type(c), "certificate-expired");
    assert_non_null(strstr(stc_result_message(c, 0), "expired 3 days ago"));
    stc_result_free(h);
}

static void expiring_soon_is_warning(void **state)
{
    (void)state;
    struct host_obs o;
    good_obs(&o);
    o.info.days_to_expiry = 5;
    struct stc_result *h = judge_all(&o);
    assert_int_equal(stc_result_status(check(h, CHECK_CERTIFICATE)), STC_STATUS_WARNING);
    stc_result_free(h);
}

static void name_mismatch_lists_names(void **state)
{
    (void)state;
    struct host_obs o;
    good_obs(&o);
    char n1[] = "other.example.net", n2[] = "*.example.org";
    char *names[] = {n1, n2};
    o.info.names = names;
    o.info.nnames = 2;
    o.info.name_matches = 0;
    o.info.problem = TLS_CERT_NAME_MISMATCH;
    struct stc_result *h = judge_all(&o);
    const struct stc_result *c = check(h, CHECK_CERTIFICATE);
    assert_int_equal(stc_result_status(c), STC_STATUS_FAILURE);
    assert_string_equal(stc_result_type(c), "certificate-host-mismatch");
    assert_non_null(strstr(stc_result_message(c, 0), "other.example.net, *.example.org"));
    stc_result_free(h);
}

static void untrusted_and_mismatched_reports_both(void **state)
{
    (void)state;
    struct host_obs o;
    good_obs(&o);
    o.info.chain_trusted = 0;
    o.info.name_matches = 0;
    o.info.problem = TLS_CERT_SELF_SIGNED;
    struct stc_result *h = judge_all(&o);
    const struct stc_result *c = check(h, CHECK_CERTIFICATE);
    assert_int_equal(stc_result_message_count(c), 2);
    assert_non_null(strstr(stc_result_message(c, 0), "self-signed"));
    assert_string_equal(stc_result_type(c), "certificate-not-trusted");
    assert_string_equal(stc_result_get_str(c, "problem"), "self-signed");
    stc_result_free(h);
}

static void incomplete_chain_recommends_full_chain(void **state)
{
    (void)state;
    struct host_obs o;
    good_obs(&o);
    o.info.chain_trusted = 0;
    o.info.problem = TLS_CERT_INCOMPLETE_CHAIN;
    struct stc_result *h = judge_all(&o);
    const struct stc_result *c = check(h, CHECK_CERTIFICATE);
    assert_non_null(strstr(stc_result_recommendation(c, 0), "full chain"));
    stc_result_free(h);
}

/* Issue 12: a trusted chain with a weak key or digest is a failure naming why. */
static void weak_certificate_fails(void **state)
{
    (void)state;
    struct host_obs o;
    good_obs(&o);
    o.info.weak = TLS_WEAK_KEY;
    o.info.problem = TLS_CERT_WEAK;
    snprintf(o.info.weak_text, sizeof o.info.weak_text,
             "the leaf certificate has a 1024-bit RSA key (at least 2048 bits needed)");
    struct stc_result *h = judge_all(&o);
    const struct stc_result *c = check(h, CHECK_CERTIFICATE);
    assert_int_equal(stc_result_status(c), STC_STATUS_FAILURE);
    assert_string_equal(stc_result_get_str(c, "problem"), "weak-key");
    assert_non_null(strstr(stc_result_message(c, 0), "1024-bit RSA"));
    long long v = 1;
    assert_true(stc_result_get_int(c, "valid", &v));
    assert_int_equal(v, 0);
    stc_result_free(h);

    good_obs(&o);
    o.info.weak = TLS_WEAK_DIGEST;
    snprintf(o.info.weak_text, sizeof o.info.weak_text, "the leaf certificate is signed with SHA-1");
    h = judge_all(&o);
    c = check(h, CHECK_CERTIFICATE);
    assert_int_equal(stc_result_status(c), STC_STATUS_FAILURE);
    assert_string_equal(stc_result_get_str(c, "problem"), "weak-signature");
    stc_result_free(h);
}

/* Issue 12: a name only in the CN matches for legacy senders, but warns. */
static void cn_only_name_warns(void **state)
{
    (void)state;
    struct host_obs o;
    good_obs(&o);
    o.info.name_in_san = 0;
    struct stc_result *h = judge_all(&o);
    const struct stc_result *c = check(h, CHECK_CERTIFICATE);
    assert_int_equal(stc_result_status(c), STC_STATUS_WARNING);
    assert_non_null(strstr(stc_result_message(c, 0), "subjectAltName"));
    long long v = 1;
    assert_true(stc_result_get_int(c, "name_in_san", &v));
    assert_int_equal(v, 0);
    stc_result_free(h);
}

static void legacy_versions_warn(void **state)
{
    (void)state;
    struct host_obs o;
    good_obs(&o);
    o.legacy.ran = o.legacy.accepted = 1;
    snprintf(o.legacy.version, sizeof o.legacy.version, "TLSv1.1");
    struct stc_result *h = judge_all(&o);
    const struct stc_result *v = check(h, CHECK_VERSION);
    assert_int_equal(stc_result_status(v), STC_STATUS_WARNING);
    long i = stc_result_fact_index(v, "legacy_accepted");
    assert_true(i >= 0);
    assert_string_equal(stc_result_fact_list_item(v, (size_t)i, 0), "TLSv1.1");
    stc_result_free(h);

    good_obs(&o);
    o.info.version = TLS_V_1_0;
    snprintf(o.info.version_name, sizeof o.info.version_name, "TLSv1");
    h = judge_all(&o);
    assert_int_equal(stc_result_status(check(h, CHECK_VERSION)), STC_STATUS_WARNING);
    stc_result_free(h);
}

/* Issue 12: a probe without a TLS answer is "not tested", never a pass. */
static void probe_without_tls_answer_is_not_tested(void **state)
{
    (void)state;
    struct host_obs o;
    good_obs(&o);
    o.legacy.ran = 1;
    o.legacy.throttled = 1;
    snprintf(o.legacy.err.msg, sizeof o.legacy.err.msg, "server is throttling connections: 421");
    o.broken.ran = o.anon.ran = 1;
    snprintf(o.broken.err.msg, sizeof o.broken.err.msg, "connection reset by peer");
    struct stc_result *h = judge_all(&o);
    const struct stc_result *v = check(h, CHECK_VERSION);
    long long x = 1;
    assert_int_equal(stc_result_status(v), STC_STATUS_ERROR);
    assert_false(stc_result_get_int(v, "legacy_refused", &x));
    assert_true(stc_result_get_int(v, "legacy_tested", &x));
    assert_int_equal(x, 0);
    assert_true(stc_result_get_int(v, "throttled", &x));
    assert_int_equal(x, 1);
    assert_non_null(strstr(stc_result_message(v, 0), "not tested"));
    assert_non_null(strstr(stc_result_message(v, 0), "421"));
    const struct stc_result *c = check(h, CHECK_CIPHER);
    assert_int_equal(stc_result_status(c), STC_STATUS_ERROR);
    assert_true(stc_result_get_int(c, "weak_tested", &x));
    assert_int_equal(x, 0);
    assert_false(stc_result_get_int(c, "throttled", &x));
    assert_non_null(strstr(stc_result_message(c, 0), "reset"));
    stc_result_free(h);

    /* a refusal in TLS terms is a test: legacy_refused, success */
    good_obs(&o);
    o.legacy.ran = o.legacy.tested = 1;
    o.broken.ran = o.anon.ran = o.broken.tested = o.anon.tested = 1;
    h = judge_all(&o);
    v = check(h, CHECK_VERSION);
    assert_int_equal(stc_result_status(v), STC_STATUS_SUCCESS);
    assert_true(stc_result_get_int(v, "legacy_refused", &x));
    assert_int_equal(x, 1);
    assert_int_equal(stc_result_status(check(h, CHECK_CIPHER)), STC_STATUS_SUCCESS);
    stc_result_free(h);
}

/* Issue 12: the legacy probe offers TLS 1.0 and 1.1; the message says so. */
static void legacy_pick_is_named(void **state)
{
    (void)state;
    struct host_obs o;
    good_obs(&o);
    o.legacy.ran = o.legacy.tested = o.legacy.accepted = 1;
    snprintf(o.legacy.version, sizeof o.legacy.version, "TLSv1.1");
    struct stc_result *h = judge_all(&o);
    const struct stc_result *v = check(h, CHECK_VERSION);
    assert_non_null(strstr(stc_result_message(v, 0), "TLS 1.1 or older"));
    assert_non_null(strstr(stc_result_message(v, 0), "TLS 1.0 is not tested"));
    assert_string_equal(stc_result_get_str(v, "legacy_picked"), "TLSv1.1");
    stc_result_free(h);
}

static void broken_cipher_fails_anon_warns(void **state)
{
    (void)state;
    struct host_obs o;
    good_obs(&o);
    o.broken.ran = o.broken.accepted = 1;
    snprintf(o.broken.cipher, sizeof o.broken.cipher, "NULL-SHA256");
    struct stc_result *h = judge_all(&o);
    assert_int_equal(stc_result_status(check(h, CHECK_CIPHER)), STC_STATUS_FAILURE);
    stc_result_free(h);

    good_obs(&o);
    o.anon.ran = o.anon.accepted = 1;
    snprintf(o.anon.cipher, sizeof o.anon.cipher, "AECDH-AES256-SHA");
    h = judge_all(&o);
    assert_int_equal(stc_result_status(check(h, CHECK_CIPHER)), STC_STATUS_WARNING);
    stc_result_free(h);
}

static void injected_plaintext_warns(void **state)
{
    (void)state;
    struct host_obs o;
    good_obs(&o);
    o.injected_bytes = 14;
    struct stc_result *h = judge_all(&o);
    const struct stc_result *s = check(h, CHECK_STARTTLS);
    assert_int_equal(stc_result_status(s), STC_STATUS_WARNING);
    assert_non_null(strstr(stc_result_message(s, 0), "CVE-2011-0411"));
    stc_result_free(h);
}

static void handshake_failure(void **state)
{
    (void)state;
    struct host_obs o;
    good_obs(&o);
    o.handshake_ok = 0;
    snprintf(o.tls_err.msg, sizeof o.tls_err.msg, "wrong version number");
    struct stc_result *h = judge_all(&o);
    const struct stc_result *s = check(h, CHECK_STARTTLS);
    assert_int_equal(stc_result_status(s), STC_STATUS_FAILURE);
    assert_string_equal(stc_result_type(s), "validation-failure");
    stc_result_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(good_host_succeeds),
        cmocka_unit_test(no_starttls_is_failure_with_type),
        cmocka_unit_test(starttls_454_is_failure),
        cmocka_unit_test(throttled_is_error_not_no_starttls),
        cmocka_unit_test(unresolvable_and_refused_are_errors),
        cmocka_unit_test(expired_certificate),
        cmocka_unit_test(expiring_soon_is_warning),
        cmocka_unit_test(name_mismatch_lists_names),
        cmocka_unit_test(untrusted_and_mismatched_reports_both),
        cmocka_unit_test(incomplete_chain_recommends_full_chain),
        cmocka_unit_test(weak_certificate_fails),
        cmocka_unit_test(cn_only_name_warns),
        cmocka_unit_test(legacy_versions_warn),
        cmocka_unit_test(probe_without_tls_answer_is_not_tested),
        cmocka_unit_test(legacy_pick_is_named),
        cmocka_unit_test(broken_cipher_fails_anon_warns),
        cmocka_unit_test(injected_plaintext_warns),
        cmocka_unit_test(handshake_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
