/* test_util_io_sock.c - sock_connect: "no route from this machine" is told apart.
 *
 * A machine without an IPv6 (or IPv4) route must get STC_E_NOROUTE, so the
 * checker reports "not tested" instead of blaming the host. The test runs
 * sock_connect in a child inside a new network namespace (unshare, needs
 * root as the test world does): only a down lo exists there, no route at
 * all, so connect() fails at once and no packet can leave. The addresses
 * are a unique-local one that is configured nowhere and a loopback one;
 * nothing is ever sent outside the namespace.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/deadline.h"
#include "util/io.h"

/* In a child in a fresh network namespace: connect to addr and write
 * "rc|message" into buf. Returns 0 when the child ran. */
static int connect_in_empty_netns(const char *addr, char *buf, size_t bufsz)
{
    int pfd[2];
    if (pipe(pfd) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        close(pfd[0]);
        char out[400];
        if (unshare(CLONE_NEWNET) != 0) {
            snprintf(out, sizeof out, "unshare(CLONE_NEWNET) failed: not root?");
        } else {
            int fd = -1;
            struct stc_err e = {0};
            stc_rc rc = sock_connect(addr, 25, deadline_in(2000), &fd, &e);
            if (fd >= 0)
                sock_close(fd, 1);
            snprintf(out, sizeof out, "%d|%s", (int)rc, e.msg);
        }
        ssize_t w = write(pfd[1], out, strlen(out));
        _exit(w < 0);
    }
    close(pfd[1]);
    ssize_t n = read(pfd[0], buf, bufsz - 1);
    close(pfd[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    buf[n > 0 ? n : 0] = '\0';
    return 0;
}

static void expect_noroute(const char *addr, const char *msg_part)
{
    char buf[512];
    assert_int_equal(connect_in_empty_netns(addr, buf, sizeof buf), 0);
    char want[32];
    snprintf(want, sizeof want, "%d|", (int)STC_E_NOROUTE);
    if (strncmp(buf, want, strlen(want)) != 0 || strstr(buf, msg_part) == NULL)
        fail_msg("%s: got \"%s\", want rc %d and \"%s\"", addr, buf, (int)STC_E_NOROUTE,
                 msg_part);
}

static void test_no_ipv6_route(void **state)
{
    (void)state;
    /* a ULA configured nowhere: the namespace has no IPv6 route at all */
    expect_noroute("fd85::ffff:dead:1", "no IPv6 route from this machine");
}

static void test_no_ipv4_route(void **state)
{
    (void)state;
    /* lo is down in the new namespace: no IPv4 route either */
    expect_noroute("127.85.99.99", "no IPv4 route from this machine");
}

static void test_refused_is_not_noroute(void **state)
{
    (void)state;
    /* the host's own loopback, a port nothing listens on: the peer refuses */
    int fd = -1;
    struct stc_err e = {0};
    stc_rc rc = sock_connect("::1", 9, deadline_in(2000), &fd, &e);
    if (fd >= 0)
        sock_close(fd, 1);
    assert_int_equal(rc, STC_E_PEER);
    assert_non_null(strstr(e.msg, "refused"));
}

static void test_bad_literal(void **state)
{
    (void)state;
    int fd = -1;
    struct stc_err e = {0};
    assert_int_equal(sock_connect("mx.example", 25, deadline_in(100), &fd, &e), STC_E_INVAL);
    assert_int_equal(fd, -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_ipv6_route),
        cmocka_unit_test(test_no_ipv4_route),
        cmocka_unit_test(test_refused_is_not_noroute),
        cmocka_unit_test(test_bad_literal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
