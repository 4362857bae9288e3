/* Unit tests for hostname.c: the default EHLO name is the machine's name,
 * never localhost. The names are set with sethostname() inside a private
 * UTS namespace (unshare(CLONE_NEWUTS), needs root like the rest of the
 * suite), so the machine's own name is untouched. Only names with a dot are
 * set: a short name would be looked up in DNS. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sched.h>
#include <unistd.h>

#include "util/hostname.h"

static void set_name(const char *name)
{
    assert_int_equal(sethostname(name, strlen(name)), 0);
}

static int setup(void **state)
{
    (void)state;
    if (unshare(CLONE_NEWUTS) != 0) {
        perror("unshare(CLONE_NEWUTS) (the unit tests run as root)");
        return -1; /* a failed setup fails the tests */
    }
    return 0;
}

static void is_localhost(void **state)
{
    (void)state;
    assert_true(hostname_is_localhost("localhost"));
    assert_true(hostname_is_localhost("LocalHost"));
    assert_true(hostname_is_localhost("localhost.localdomain"));
    assert_true(hostname_is_localhost(""));
    assert_true(hostname_is_localhost(NULL));
    assert_false(hostname_is_localhost("localhostess.example"));
    assert_false(hostname_is_localhost("mx.localhost-free.example"));
    assert_false(hostname_is_localhost("mail.example.org"));
}

static void fqdn_is_used_as_is(void **state)
{
    (void)state;
    char out[HOSTNAME_MAX];
    struct stc_err err = {STC_OK, ""};
    set_name("Scanner-1.Example.ORG");
    assert_int_equal(hostname_fqdn(out, sizeof out, &err), STC_OK);
    assert_string_equal(out, "scanner-1.example.org");
    set_name("probe.example.net.");
    assert_int_equal(hostname_fqdn(out, sizeof out, &err), STC_OK);
    assert_string_equal(out, "probe.example.net");
}

static void localhost_is_refused(void **state)
{
    (void)state;
    char out[HOSTNAME_MAX];
    const char *names[] = {"localhost", "localhost.localdomain", "LOCALHOST.example"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        struct stc_err err = {STC_OK, ""};
        set_name(names[i]);
        assert_int_equal(hostname_fqdn(out, sizeof out, &err), STC_E_INVAL);
        assert_string_equal(out, "");
        assert_non_null(strstr(err.msg, "--helo NAME"));
        assert_non_null(strstr(err.msg, names[i]));
    }
}

static void bad_characters_and_small_buffer(void **state)
{
    (void)state;
    char out[HOSTNAME_MAX], tiny[8];
    struct stc_err err = {STC_OK, ""};
    set_name("mx host.example");
    assert_int_equal(hostname_fqdn(out, sizeof out, &err), STC_E_INVAL);
    set_name("mx.example.org");
    err = (struct stc_err){STC_OK, ""};
    assert_int_equal(hostname_fqdn(tiny, sizeof tiny, &err), STC_E_INVAL);
    assert_int_equal(hostname_fqdn(NULL, 0, &err), STC_E_INVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(is_localhost),
        cmocka_unit_test(fqdn_is_used_as_is),
        cmocka_unit_test(localhost_is_refused),
        cmocka_unit_test(bad_characters_and_small_buffer),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
