/*
 * NAME
 *     tls_bio - the socket under an SSL: a BIO without SIGPIPE, and waiting
 * SYNOPSIS
 *     BIO_METHOD *tls_bio_method_new(void);
 *     BIO *tls_bio_new(BIO_METHOD *m, int fd);
 *     int tls_bio_errno(BIO *b);
 *     stc_rc tls_wait(int fd, int sslerr, struct deadline d, const char *stage,
 *                     struct stc_err *err);
 * DESCRIPTION
 *     OpenSSL's own socket BIO writes with write(2), which raises SIGPIPE
 *     when the peer has gone; a library must not kill its caller, so this
 *     BIO sends with MSG_NOSIGNAL. It reads and writes a non-blocking fd it
 *     does not own, turns EAGAIN into a retry, marks EOF for BIO_eof() (so
 *     OpenSSL reports "unexpected eof") and remembers the last errno for the
 *     error mapping. The BIO_METHOD is made once per struct tls_client (no
 *     global state) and freed with BIO_meth_free().
 *
 *     tls_wait() polls for what SSL_get_error() asked for, bounded by d.
 * LIMITS
 *     One fd per BIO; the fd must stay open while the BIO lives.
 * DIAGNOSTICS
 *     tls_bio_method_new/tls_bio_new return NULL when out of memory.
 *     tls_wait: STC_E_TIMEOUT "<stage> timed out", STC_E_IO when poll fails,
 *     STC_E_INTERNAL for an sslerr that is not a wait.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/bio.h>
#include <openssl/ssl.h>

#include "tls_int.h"

struct sockbio {
    int fd;
    int eof;
    int last_errno;
};

static int retryable(int e)
{
    return e == EAGAIN || e == EWOULDBLOCK || e == EINTR;
}

static int bwrite(BIO *b, const char *p, int n)
{
    struct sockbio *s = BIO_get_data(b);
    BIO_clear_retry_flags(b);
    if (s == NULL || n < 0)
        return -1;
    ssize_t w = send(s->fd, p, (size_t)n, MSG_NOSIGNAL);
    if (w >= 0)
        return (int)w;
    if (retryable(errno)) {
        BIO_set_retry_write(b);
    } else {
        s->last_errno = errno;
    }
    return -1;
}

static int bread(BIO *b, char *p, int n)
{
    struct sockbio *s = BIO_get_data(b);
    BIO_clear_retry_flags(b);
    if (s == NULL || n < 0)
        return -1;
    if (n == 0)
        return 0;
    ssize_t r = recv(s->fd, p, (size_t)n, 0);
    if (r > 0)
        return (int)r;
    if (r == 0) {
        s->eof = 1;
        return 0;
    }
    if (retryable(errno)) {
        BIO_set_retry_read(b);
    } else {
        s->last_errno = errno;
    }
    return -1;
}

static long bctrl(BIO *b, int cmd, long num, void *ptr)
{
    struct sockbio *s = BIO_get_data(b);
    (void)num;
    switch (cmd) {
    case BIO_CTRL_FLUSH: return 1;
    case BIO_CTRL_EOF: return s != NULL && s->eof;
    case BIO_C_GET_FD:
        if (s == NULL)
            return -1;
        if (ptr != NULL)
            *(int *)ptr = s->fd;
        return s->fd;
    default: return 0;
    }
}

static int bputs(BIO *b, const char *str)
{
    size_t n = strlen(str); /* OpenSSL's own strings, never network data */
    return n > 0x7fffffff ? -1 : bwrite(b, str, (int)n);
}

static int bcreate(BIO *b)
{
    BIO_set_data(b, NULL);
    BIO_set_init(b, 0);
    return 1;
}

static int bdestroy(BIO *b)
{
    free(BIO_get_data(b));
    BIO_set_data(b, NULL);
    BIO_set_init(b, 0);
    return 1;
}

BIO_METHOD *tls_bio_method_new(void)
{
    int idx = BIO_get_new_index();
    if (idx == -1)
        return NULL;
    BIO_METHOD *m = BIO_meth_new(idx | BIO_TYPE_SOURCE_SINK | BIO_TYPE_DESCRIPTOR, "stc socket");
    if (m == NULL)
        return NULL;
    if (BIO_meth_set_write(m, bwrite) != 1 || BIO_meth_set_read(m, bread) != 1 ||
        BIO_meth_set_puts(m, bputs) != 1 || BIO_meth_set_ctrl(m, bctrl) != 1 ||
        BIO_meth_set_create(m, bcreate) != 1 || BIO_meth_set_destroy(m, bdestroy) != 1) {
        BIO_meth_free(m);
        return NULL;
    }
    return m;
}

BIO *tls_bio_new(BIO_METHOD *m, int fd)
{
    struct sockbio *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    BIO *b = BIO_new(m);
    if (b == NULL) {
        free(s);
        return NULL;
    }
    s->fd = fd;
    BIO_set_data(b, s);
    BIO_set_init(b, 1);
    return b;
}

int tls_bio_errno(BIO *b)
{
    struct sockbio *s = b != NULL ? BIO_get_data(b) : NULL;
    return s != NULL ? s->last_errno : 0;
}

stc_rc tls_wait(int fd, int sslerr, struct deadline d, const char *stage, struct stc_err *err)
{
    short ev;
    switch (sslerr) {
    case SSL_ERROR_WANT_READ: ev = POLLIN; break;
    case SSL_ERROR_WANT_WRITE: ev = POLLOUT; break;
    default: return err_set(err, STC_E_INTERNAL, "%s: unexpected wait %d", stage, sslerr);
    }
    struct stc_err local = {STC_OK, ""};
    stc_rc rc = deadline_poll(fd, ev, d, &local);
    if (rc == STC_E_TIMEOUT)
        return err_set(err, STC_E_TIMEOUT, "%s timed out", stage);
    if (rc != STC_OK)
        return err_set(err, rc, "%s: %s", stage, local.msg);
    return STC_OK;
}
