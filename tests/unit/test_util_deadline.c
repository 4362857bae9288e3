/* test_util_deadline - deadlines, sub-deadlines, deadline_poll, and io_sock
 * reads/writes bounded by them (socketpair, loopback only). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/deadline.h"
#include "util/io.h"

static void test_basic(void **state)
{
    (void)state;
    int64_t t0 = deadline_now_ms();
    assert_true(deadline_now_ms() >= t0); /* monotonic */
    struct deadline d = deadline_in(100000);
    assert_false(deadline_expired(d));
    int left = deadline_left_ms(d);
    assert_true(left > 0 && left <= 100000);
    assert_true(deadline_expired(deadline_in(0)));
    assert_int_equal(deadline_left_ms(deadline_in(0)), 0);
    assert_true(deadline_expired(deadline_in(-5000))); /* negative means now */
    struct deadline past = {0};
    assert_int_equal(deadline_left_ms(past), 0);
}

static void test_extremes(void **state)
{
    (void)state;
    /* Far future saturates (no signed overflow under UBSan) and caps for poll. */
    struct deadline far = deadline_in(INT64_MAX);
    assert_int_equal(far.at_ms, INT64_MAX);
    assert_int_equal(deadline_left_ms(far), INT_MAX);
    assert_false(deadline_expired(far));
    struct deadline ancient = {INT64_MIN};
    assert_int_equal(deadline_left_ms(ancient), 0);
    assert_true(deadline_expired(ancient));
}

static void test_min_sub(void **state)
{
    (void)state;
    struct deadline a = {1000}, b = {2000};
    assert_int_equal(deadline_min(a, b).at_ms, 1000);
    assert_int_equal(deadline_min(b, a).at_ms, 1000);
    /* A sub-deadline never goes past its parent ... */
    struct deadline parent = deadline_in(500);
    assert_true(deadline_sub(parent, 100000).at_ms <= parent.at_ms);
    assert_true(deadline_sub(parent, INT64_MAX).at_ms <= parent.at_ms);
    struct deadline gone = {0};
    assert_int_equal(deadline_sub(gone, 1000).at_ms, 0);
    /* ... and is shorter when asked. */
    struct deadline big = deadline_in(100000);
    struct deadline s = deadline_sub(big, 10);
    assert_true(s.at_ms < big.at_ms);
    assert_true(deadline_sub(big, -1).at_ms <= deadline_now_ms());
}

static void pair(int sv[2])
{
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    assert_int_equal(fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK), 0);
}

static void test_poll(void **state)
{
    (void)state;
    int sv[2];
    struct stc_err err;
    pair(sv);
    stc_err_clear(&err);
    assert_int_equal(deadline_poll(sv[0], POLLIN, deadline_in(50), &err), STC_E_TIMEOUT);
    assert_int_equal(err.code, STC_E_TIMEOUT);
    stc_err_clear(&err);
    assert_int_equal(deadline_poll(sv[0], POLLOUT, deadline_in(1000), &err), STC_OK);
    assert_int_equal(write(sv[1], "x", 1), 1);
    assert_int_equal(deadline_poll(sv[0], POLLIN, deadline_in(1000), &err), STC_OK);
    /* Expired deadline: TIMEOUT even when ready. */
    assert_int_equal(deadline_poll(sv[0], POLLIN, deadline_in(0), &err), STC_E_TIMEOUT);
    close(sv[0]);
    close(sv[1]);
}

static void test_io_sock(void **state)
{
    (void)state;
    int sv[2];
    struct stc_err err;
    struct io_sock s;
    uint8_t b[16];
    size_t got = 0;
    pair(sv);
    io_sock_init(&s, sv[0]);
    stc_err_clear(&err);
    /* Nothing to read: timeout. */
    assert_int_equal(io_read(&s.io, b, sizeof b, &got, deadline_in(30), &err), STC_E_TIMEOUT);
    /* Data already there is returned even with an expired deadline. */
    assert_int_equal(write(sv[1], "hello", 5), 5);
    stc_err_clear(&err);
    assert_int_equal(io_read(&s.io, b, sizeof b, &got, deadline_in(0), &err), STC_OK);
    assert_int_equal(got, 5);
    assert_memory_equal(b, "hello", 5);
    /* A zero-size read is a caller bug, not "closed by peer". */
    assert_int_equal(io_read(&s.io, b, 0, &got, deadline_in(100), &err), STC_E_INTERNAL);
    /* Writes into a full socket end at the deadline. */
    static uint8_t chunk[65536];
    stc_rc rc = STC_OK;
    stc_err_clear(&err);
    for (int i = 0; i < 1000 && rc == STC_OK; i++)
        rc = io_write(&s.io, chunk, sizeof chunk, deadline_in(50), &err);
    assert_int_equal(rc, STC_E_TIMEOUT);
    /* Peer gone: EOF is STC_E_PEER, and so is a write. */
    close(sv[1]);
    stc_err_clear(&err);
    /* (reset, not closed: the peer left our bytes unread) */
    assert_int_equal(io_read(&s.io, b, sizeof b, &got, deadline_in(1000), &err), STC_E_PEER);
    stc_err_clear(&err);
    assert_int_equal(io_write(&s.io, (const uint8_t *)"x", 1, deadline_in(1000), &err), STC_E_PEER);
    close(sv[0]);

    /* A clean close: EOF after the data. */
    pair(sv);
    io_sock_init(&s, sv[0]);
    assert_int_equal(write(sv[1], "bye", 3), 3);
    close(sv[1]);
    stc_err_clear(&err);
    assert_int_equal(io_read(&s.io, b, sizeof b, &got, deadline_in(1000), &err), STC_OK);
    assert_int_equal(got, 3);
    assert_int_equal(io_read(&s.io, b, sizeof b, &got, deadline_in(1000), &err), STC_E_PEER);
    assert_string_equal(err.msg, "connection closed by peer");
    close(sv[0]);
}

static void test_connect(void **state)
{
    (void)state;
    int fd = -1;
    struct stc_err err;
    stc_err_clear(&err);
    assert_int_equal(sock_connect("not-an-ip", 25, deadline_in(1000), &fd, &err), STC_E_INVAL);
    stc_err_clear(&err);
    assert_int_equal(sock_connect("127.88.0.1", 0, deadline_in(1000), &fd, &err), STC_E_INVAL);
    stc_err_clear(&err);
    assert_int_equal(sock_connect("127.88.0.1", 70000, deadline_in(1000), &fd, &err), STC_E_INVAL);
    /* Nothing listens on 127.88.0.1:9 (loopback only): refused. */
    stc_err_clear(&err);
    assert_int_equal(sock_connect("127.88.0.1", 9, deadline_in(2000), &fd, &err), STC_E_PEER);
    assert_int_equal(fd, -1);
    sock_close(-1, 1); /* harmless */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic), cmocka_unit_test(test_extremes),
        cmocka_unit_test(test_min_sub), cmocka_unit_test(test_poll),
        cmocka_unit_test(test_io_sock), cmocka_unit_test(test_connect),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
