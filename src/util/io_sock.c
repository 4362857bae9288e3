/*
 * NAME
 *     io_sock - non-blocking TCP connect and a deadline-bounded struct io
 * SYNOPSIS
 *     stc_rc sock_connect(addr, port, deadline, &fd, err);
 *     void io_sock_init(struct io_sock *s, int fd);
 * DESCRIPTION
 *     The socket is O_NONBLOCK; every read and write waits in deadline_poll()
 *     so no call can block past its deadline. The caller owns the fd and
 *     closes it with sock_close().
 * DIAGNOSTICS
 *     STC_E_PEER for refused/reset/closed connections (also unreachable
 *     networks reported later by a router), STC_E_TIMEOUT, STC_E_INVAL for a
 *     bad address, STC_E_IO for local failures. STC_E_NOROUTE when this
 *     machine cannot even start the connection: connect() fails at once with
 *     ENETUNREACH/EHOSTUNREACH (no route in the local table, an
 *     "unreachable" route) or the family is unsupported/has no source
 *     address (EAFNOSUPPORT, EADDRNOTAVAIL); nothing was sent.
 */
#include "io.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "err.h"

static stc_rc map_errno(int e, const char *what, struct stc_err *err)
{
    switch (e) {
    case ECONNREFUSED: return err_set(err, STC_E_PEER, "connection refused");
    case ECONNRESET: return err_set(err, STC_E_PEER, "connection reset by peer");
    case EPIPE: return err_set(err, STC_E_PEER, "connection closed by peer (broken pipe)");
    case ENETUNREACH: return err_set(err, STC_E_PEER, "network unreachable");
    case EHOSTUNREACH: return err_set(err, STC_E_PEER, "host unreachable");
    case ETIMEDOUT: return err_set(err, STC_E_TIMEOUT, "connection timed out");
    default: return err_set(err, STC_E_IO, "%s: %s", what, strerror(e));
    }
}

/* connect() failed at once: the local routing table (or the family) is the
 * reason, before any packet left. */
static stc_rc local_errno(int e, int family, struct stc_err *err)
{
    const char *fam = family == AF_INET6 ? "IPv6" : "IPv4";
    const char *why;
    switch (e) {
    case ENETUNREACH: why = "network unreachable"; break;
    case EHOSTUNREACH: why = "host unreachable"; break;
    case EADDRNOTAVAIL: why = "no usable source address"; break;
    case EAFNOSUPPORT: why = "address family not supported"; break;
    default: return map_errno(e, "connect", err);
    }
    return err_set(err, STC_E_NOROUTE, "no %s route from this machine (%s)", fam, why);
}

static stc_rc sock_read(struct io *io, uint8_t *p, size_t cap, size_t *got, struct deadline d,
                        struct stc_err *err)
{
    int fd = ((struct io_sock *)io->ctx)->fd;
    if (cap == 0) /* recv() would return 0, which reads as "closed by peer" */
        return err_set(err, STC_E_INTERNAL, "read into an empty buffer");
    for (;;) {
        ssize_t n = recv(fd, p, cap, 0);
        if (n > 0) {
            *got = (size_t)n;
            return STC_OK;
        }
        if (n == 0)
            return err_set(err, STC_E_PEER, "connection closed by peer");
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return map_errno(errno, "recv", err);
        stc_rc rc = deadline_poll(fd, POLLIN, d, err);
        if (rc != STC_OK)
            return rc;
    }
}

static stc_rc sock_write(struct io *io, const uint8_t *p, size_t n, struct deadline d,
                         struct stc_err *err)
{
    int fd = ((struct io_sock *)io->ctx)->fd;
    size_t done = 0;
    while (done < n) {
        ssize_t w = send(fd, p + done, n - done, MSG_NOSIGNAL);
        if (w > 0) {
            done += (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
            return map_errno(errno, "send", err);
        stc_rc rc = deadline_poll(fd, POLLOUT, d, err);
        if (rc != STC_OK)
            return rc;
    }
    return STC_OK;
}

static const struct io_ops sock_ops = {sock_read, sock_write};

void io_sock_init(struct io_sock *s, int fd)
{
    s->io.ops = &sock_ops;
    s->io.ctx = s;
    s->fd = fd;
}

stc_rc sock_connect(const char *addr, int port, struct deadline d, int *fd_out,
                    struct stc_err *err)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    memset(&ss, 0, sizeof ss);
    struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
    if (port <= 0 || port > 65535)
        return err_set(err, STC_E_INVAL, "invalid port %d", port);
    if (inet_pton(AF_INET, addr, &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        in4->sin_port = htons((uint16_t)port);
        sl = sizeof *in4;
    } else if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        sl = sizeof *in6;
    } else {
        return err_set(err, STC_E_INVAL, "not a numeric IP address: %.64s", addr);
    }
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 && (errno == EAFNOSUPPORT || errno == EPFNOSUPPORT))
        return local_errno(EAFNOSUPPORT, ss.ss_family, err);
    if (fd < 0)
        return map_errno(errno, "socket", err);
    int one = 1;
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    stc_rc rc = STC_OK;
    if (connect(fd, (struct sockaddr *)&ss, sl) != 0) {
        /* EINTR: the connection attempt goes on asynchronously, like EINPROGRESS. */
        if (errno != EINPROGRESS && errno != EINTR) {
            rc = local_errno(errno, ss.ss_family, err);
            goto out;
        }
        rc = deadline_poll(fd, POLLOUT, d, err);
        if (rc != STC_OK)
            goto out;
        int soerr = 0;
        socklen_t len = sizeof soerr;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0)
            soerr = errno;
        if (soerr != 0) {
            rc = map_errno(soerr, "connect", err);
            goto out;
        }
    }
    *fd_out = fd;
    return STC_OK;
out:
    close(fd);
    return rc;
}

void sock_close(int fd, int reset)
{
    if (fd < 0)
        return;
    if (reset) {
        struct linger lg = {1, 0};
        (void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    }
    close(fd);
}
