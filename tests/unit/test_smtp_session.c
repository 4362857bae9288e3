/* test_smtp_session - the SMTP session over a real socket (socketpair +
 * io_sock) against a scripted peer thread: normal dialogues, STARTTLS
 * plaintext injection, endless, dripping, truncated and garbage replies. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "smtp/smtp.h"
#include "util/io.h"

enum op { W, R, SLEEP, DRIP, ENDLESS, BIG, CLOSE, END };

struct step {
    enum op op;
    const char *data; /* W, DRIP, ENDLESS: bytes; NULL data with len for BIG */
    size_t len;       /* 0: strlen(data) */
    int ms;           /* SLEEP, DRIP interval */
};

struct peer {
    int fd;
    const struct step *script;
    pthread_t th;
    char got[4096]; /* what the client sent */
    size_t ngot;
};

struct fixture {
    int fd;
    struct io_sock ios;
    struct smtp_session s;
    struct peer peer;
    struct stc_err err;
};

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static int send_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n > 0) {
        ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

static void *peer_main(void *arg)
{
    struct peer *p = arg;
    for (const struct step *st = p->script; st->op != END; st++) {
        size_t len = st->len ? st->len : (st->data ? strlen(st->data) : 0);
        switch (st->op) {
        case W:
            if (send_all(p->fd, st->data, len) != 0)
                return NULL;
            break;
        case R: /* one line from the client */
            for (;;) {
                char c;
                ssize_t n = recv(p->fd, &c, 1, 0);
                if (n <= 0)
                    return NULL;
                if (p->ngot < sizeof p->got)
                    p->got[p->ngot++] = c;
                if (c == '\n')
                    break;
            }
            break;
        case SLEEP:
            sleep_ms(st->ms);
            break;
        case DRIP:
            for (size_t i = 0; i < len; i++) {
                if (send_all(p->fd, st->data + i, 1) != 0)
                    return NULL;
                sleep_ms(st->ms);
            }
            break;
        case ENDLESS: /* until the client goes away */
            while (send_all(p->fd, st->data, len) == 0) {
            }
            return NULL;
        case BIG: {
            char *big = malloc(len);
            if (big == NULL)
                return NULL;
            memset(big, 'a', len);
            memcpy(big, "250 ", 4);
            (void)send_all(p->fd, big, len);
            free(big);
            break;
        }
        case CLOSE:
            shutdown(p->fd, SHUT_RDWR);
            return NULL;
        case END:
        default:
            return NULL;
        }
    }
    return NULL;
}

static void start(struct fixture *f, const struct step *script)
{
    int sv[2];
    memset(f, 0, sizeof *f);
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    assert_int_equal(fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK), 0);
    /* A test bug must not hang the peer forever. */
    struct timeval tv = {10, 0};
    setsockopt(sv[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(sv[1], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    f->fd = sv[0];
    f->peer.fd = sv[1];
    f->peer.script = script;
    assert_int_equal(pthread_create(&f->peer.th, NULL, peer_main, &f->peer), 0);
    io_sock_init(&f->ios, f->fd);
    smtp_session_init(&f->s, &f->ios.io);
    stc_err_clear(&f->err);
}

/* Close our end first (so an endless peer fails its next write), then join. */
static void stop(struct fixture *f)
{
    smtp_session_free(&f->s);
    close(f->fd);
    pthread_join(f->peer.th, NULL);
    close(f->peer.fd);
}

static void test_dialogue(void **state)
{
    (void)state;
    static const struct step script[] = {
        {W, "220 mx.test ESMTP\r\n", 0, 0},
        {R, NULL, 0, 0},
        {W, "250-mx.test hi\r\n250-PIPELINING\r\n", 0, 0},
        {SLEEP, NULL, 0, 20}, /* the reply arrives in two pieces */
        {W, "250-SIZE 1000\r\n250 STARTTLS\r\n", 0, 0},
        {R, NULL, 0, 0},
        {W, "250 2.0.0 ok\r\n", 0, 0},
        {R, NULL, 0, 0},
        {W, "221 bye\r\n", 0, 0},
        {END, NULL, 0, 0},
    };
    struct fixture f;
    struct smtp_reply rep;
    struct smtp_ehlo ext;
    start(&f, script);
    struct deadline d = deadline_in(10000);
    assert_int_equal(smtp_read_reply(&f.s, d, &rep, &f.err), STC_OK);
    assert_int_equal(rep.code, 220);
    assert_string_equal(rep.first, "mx.test ESMTP");
    smtp_reply_free(&rep);
    assert_int_equal(smtp_ehlo(&f.s, "client.test", d, &rep, &ext, &f.err), STC_OK);
    assert_int_equal(rep.code, 250);
    assert_int_equal(rep.nlines, 4);
    assert_true(ext.starttls);
    assert_true(ext.pipelining);
    assert_int_equal(ext.size, 1000);
    smtp_reply_free(&rep);
    assert_int_equal(smtp_command(&f.s, "NOOP", d, &rep, &f.err), STC_OK);
    assert_int_equal(rep.code, 250);
    smtp_reply_free(&rep);
    smtp_quit(&f.s, d);
    stop(&f);
    assert_int_equal(f.err.code, STC_OK);
    assert_int_equal(f.peer.ngot, strlen("EHLO client.test\r\nNOOP\r\nQUIT\r\n"));
    assert_memory_equal(f.peer.got, "EHLO client.test\r\nNOOP\r\nQUIT\r\n", f.peer.ngot);
}

static void test_starttls_injection_same_write(void **state)
{
    (void)state;
    static const struct step script[] = {
        {W, "220 mx.test\r\n", 0, 0},
        {R, NULL, 0, 0},
        {W, "220 go ahead\r\n250 injected\r\n", 0, 0},
        {SLEEP, NULL, 0, 200},
        {END, NULL, 0, 0},
    };
    struct fixture f;
    struct smtp_reply rep;
    size_t discarded = 99;
    start(&f, script);
    struct deadline d = deadline_in(10000);
    assert_int_equal(smtp_read_reply(&f.s, d, &rep, &f.err), STC_OK);
    smtp_reply_free(&rep);
    assert_int_equal(smtp_starttls(&f.s, d, &rep, &discarded, &f.err), STC_OK);
    assert_int_equal(rep.code, 220);
    assert_int_equal(discarded, strlen("250 injected\r\n"));
    assert_int_equal(f.s.in.len, 0);
    smtp_reply_free(&rep);
    stop(&f);
    assert_memory_equal(f.peer.got, "STARTTLS\r\n", f.peer.ngot);
}

static void test_starttls_injection_later_write(void **state)
{
    (void)state;
    /* More injected bytes than one read takes (4096): the rest is still in
     * the socket, not in s->in, when the reply parses, so only the drain
     * can see it. */
    static const struct step script[] = {
        {R, NULL, 0, 0},
        {W, "220 go ahead\r\n", 0, 0},
        {BIG, NULL, 10000, 0},
        {SLEEP, NULL, 0, 200},
        {END, NULL, 0, 0},
    };
    struct fixture f;
    struct smtp_reply rep;
    size_t discarded = 0;
    start(&f, script);
    assert_int_equal(smtp_starttls(&f.s, deadline_in(10000), &rep, &discarded, &f.err), STC_OK);
    assert_int_equal(rep.code, 220);
    assert_int_equal(discarded, 10000);
    assert_int_equal(f.s.in.len, 0);
    smtp_reply_free(&rep);
    stop(&f);
}

static void test_starttls_clean_and_refused(void **state)
{
    (void)state;
    static const struct step script[] = {
        {R, NULL, 0, 0},
        {W, "220 go ahead\r\n", 0, 0},
        {SLEEP, NULL, 0, 200},
        {END, NULL, 0, 0},
    };
    static const struct step refuse[] = {
        {R, NULL, 0, 0},
        {W, "454 4.7.0 TLS not available\r\n", 0, 0},
        {END, NULL, 0, 0},
    };
    struct fixture f;
    struct smtp_reply rep;
    size_t discarded = 99;
    start(&f, script);
    assert_int_equal(smtp_starttls(&f.s, deadline_in(10000), &rep, &discarded, &f.err), STC_OK);
    assert_int_equal(rep.code, 220);
    assert_int_equal(discarded, 0);
    smtp_reply_free(&rep);
    stop(&f);

    start(&f, refuse);
    discarded = 99;
    assert_int_equal(smtp_starttls(&f.s, deadline_in(10000), &rep, &discarded, &f.err), STC_OK);
    assert_int_equal(rep.code, 454);
    assert_int_equal(discarded, 0);
    smtp_reply_free(&rep);
    stop(&f);
}

static void test_endless_multiline(void **state)
{
    (void)state;
    static const struct step script[] = {
        {W, "220-mx.test\r\n", 0, 0},
        {ENDLESS, "220-and more and more\r\n", 0, 0},
        {END, NULL, 0, 0},
    };
    struct fixture f;
    struct smtp_reply rep;
    start(&f, script);
    /* A long deadline: STC_E_LIMIT proves we stopped at the cap, not the clock. */
    assert_int_equal(smtp_read_reply(&f.s, deadline_in(60000), &rep, &f.err), STC_E_LIMIT);
    assert_string_equal(f.err.msg, "reply has more than 100 lines");
    stop(&f);
}

static void test_drip(void **state)
{
    (void)state;
    static const struct step script[] = {
        {DRIP, "220 slowly but surely\r\n", 0, 300},
        {END, NULL, 0, 0},
    };
    struct fixture f;
    struct smtp_reply rep;
    start(&f, script);
    assert_int_equal(smtp_read_reply(&f.s, deadline_in(1000), &rep, &f.err), STC_E_TIMEOUT);
    assert_int_equal(f.err.code, STC_E_TIMEOUT);
    stop(&f);
}

static void test_silent(void **state)
{
    (void)state;
    static const struct step script[] = {
        {SLEEP, NULL, 0, 500},
        {END, NULL, 0, 0},
    };
    struct fixture f;
    struct smtp_reply rep;
    start(&f, script);
    assert_int_equal(smtp_read_reply(&f.s, deadline_in(100), &rep, &f.err), STC_E_TIMEOUT);
    /* An already-passed deadline fails without waiting. */
    stc_err_clear(&f.err);
    assert_int_equal(smtp_read_reply(&f.s, deadline_in(0), &rep, &f.err), STC_E_TIMEOUT);
    stop(&f);
}

static void test_close_mid_reply(void **state)
{
    (void)state;
    static const struct step script[] = {
        {W, "250-first\r\n250 half", 0, 0},
        {CLOSE, NULL, 0, 0},
        {END, NULL, 0, 0},
    };
    struct fixture f;
    struct smtp_reply rep;
    start(&f, script);
    assert_int_equal(smtp_read_reply(&f.s, deadline_in(10000), &rep, &f.err), STC_E_PEER);
    assert_non_null(strstr(f.err.msg, "closed"));
    stop(&f);
}

static void test_megabyte_line(void **state)
{
    (void)state;
    static const struct step script[] = {
        {BIG, NULL, 1 << 20, 0},
        {END, NULL, 0, 0},
    };
    struct fixture f;
    struct smtp_reply rep;
    start(&f, script);
    assert_int_equal(smtp_read_reply(&f.s, deadline_in(60000), &rep, &f.err), STC_E_LIMIT);
    assert_string_equal(f.err.msg, "reply line longer than 512 bytes");
    assert_true(f.s.in.len <= f.s.in.max);
    stop(&f);
}

static void test_garbage(void **state)
{
    (void)state;
    static const struct step script[] = {
        {W, "\x16\x03\x03\x00\x31\x02", 6, 0},
        {SLEEP, NULL, 0, 200},
        {END, NULL, 0, 0},
    };
    struct fixture f;
    struct smtp_reply rep;
    start(&f, script);
    assert_int_equal(smtp_read_reply(&f.s, deadline_in(60000), &rep, &f.err), STC_E_PEER);
    assert_non_null(strstr(f.err.msg, "not an SMTP reply"));
    stop(&f);
}

static void test_out_of_turn(void **state)
{
    (void)state;
    static const struct step script[] = {
        {W, "220 hi\r\n250 unasked\r\n", 0, 0},
        {SLEEP, NULL, 0, 200},
        {END, NULL, 0, 0},
    };
    struct fixture f;
    struct smtp_reply rep;
    start(&f, script);
    struct deadline d = deadline_in(10000);
    assert_int_equal(smtp_read_reply(&f.s, d, &rep, &f.err), STC_OK);
    assert_int_equal(rep.code, 220);
    smtp_reply_free(&rep);
    assert_int_equal(smtp_command(&f.s, "NOOP", d, &rep, &f.err), STC_E_PEER);
    assert_non_null(strstr(f.err.msg, "before the command"));
    stop(&f);
    assert_int_equal(f.peer.ngot, 0); /* nothing was sent */
}

static void test_bad_commands(void **state)
{
    (void)state;
    static const struct step script[] = {
        {SLEEP, NULL, 0, 100},
        {END, NULL, 0, 0},
    };
    struct fixture f;
    struct smtp_reply rep;
    struct smtp_ehlo ext;
    char longcmd[SMTP_CMD_MAX + 2];
    memset(longcmd, 'A', sizeof longcmd - 1);
    longcmd[sizeof longcmd - 1] = '\0';
    start(&f, script);
    struct deadline d = deadline_in(10000);
    const char *bad[] = {"NOOP\r\nQUIT", "NOOP\n", "RSET\r", "", longcmd, NULL};
    for (size_t i = 0; bad[i]; i++) {
        stc_err_clear(&f.err);
        assert_int_equal(smtp_command(&f.s, bad[i], d, &rep, &f.err), STC_E_INVAL);
    }
    const char *badhelo[] = {"a b", "x\r\nMAIL FROM:<>", "", NULL};
    for (size_t i = 0; badhelo[i]; i++) {
        stc_err_clear(&f.err);
        assert_int_equal(smtp_ehlo(&f.s, badhelo[i], d, &rep, &ext, &f.err), STC_E_INVAL);
    }
    stop(&f);
    assert_int_equal(f.peer.ngot, 0);
}

static void test_quit_unanswered(void **state)
{
    (void)state;
    static const struct step script[] = {
        {R, NULL, 0, 0},
        {SLEEP, NULL, 0, 1000},
        {END, NULL, 0, 0},
    };
    struct fixture f;
    start(&f, script);
    smtp_quit(&f.s, deadline_in(300)); /* returns at the caller's deadline */
    stop(&f);
    assert_memory_equal(f.peer.got, "QUIT\r\n", 6);
}

static void test_set_io(void **state)
{
    (void)state;
    /* After STARTTLS the stream is swapped; the session reads the new one. */
    static const struct step first[] = {
        {R, NULL, 0, 0},
        {W, "220 go\r\nJUNK", 0, 0},
        {SLEEP, NULL, 0, 200},
        {END, NULL, 0, 0},
    };
    static const struct step second[] = {
        {R, NULL, 0, 0},
        {W, "250-mx.test\r\n250 REQUIRETLS\r\n", 0, 0},
        {END, NULL, 0, 0},
    };
    struct fixture f, g;
    struct smtp_reply rep;
    struct smtp_ehlo ext;
    size_t discarded;
    start(&f, first);
    start(&g, second);
    struct deadline d = deadline_in(10000);
    assert_int_equal(smtp_starttls(&f.s, d, &rep, &discarded, &f.err), STC_OK);
    assert_int_equal(discarded, 4);
    smtp_reply_free(&rep);
    smtp_set_io(&f.s, &g.ios.io);
    assert_int_equal(smtp_ehlo(&f.s, "c.test", d, &rep, &ext, &f.err), STC_OK);
    assert_true(ext.requiretls);
    smtp_reply_free(&rep);
    stop(&g);
    stop(&f);
    assert_memory_equal(g.peer.got, "EHLO c.test\r\n", g.peer.ngot);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dialogue),
        cmocka_unit_test(test_starttls_injection_same_write),
        cmocka_unit_test(test_starttls_injection_later_write),
        cmocka_unit_test(test_starttls_clean_and_refused),
        cmocka_unit_test(test_endless_multiline),
        cmocka_unit_test(test_drip),
        cmocka_unit_test(test_silent),
        cmocka_unit_test(test_close_mid_reply),
        cmocka_unit_test(test_megabyte_line),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_out_of_turn),
        cmocka_unit_test(test_bad_commands),
        cmocka_unit_test(test_quit_unanswered),
        cmocka_unit_test(test_set_io),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
