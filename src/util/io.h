/* io.h - a byte stream with deadlines: plain TCP now, TLS after STARTTLS.
 *
 * The SMTP layer talks through struct io only, so the TLS layer can plug a
 * TLS stream in after STARTTLS without smtp knowing about OpenSSL.
 */
#ifndef STC_UTIL_IO_H
#define STC_UTIL_IO_H

#include <stddef.h>
#include <stdint.h>

#include <starttls/error.h>

#include "deadline.h"

struct io;

struct io_ops {
    /** Read 1..cap bytes into p (*got set). EOF is STC_E_PEER "connection closed by peer". */
    stc_rc (*read)(struct io *io, uint8_t *p, size_t cap, size_t *got, struct deadline d,
                   struct stc_err *err);
    /** Write all n bytes or fail. */
    stc_rc (*write)(struct io *io, const uint8_t *p, size_t n, struct deadline d,
                    struct stc_err *err);
};

struct io {
    const struct io_ops *ops;
    void *ctx;
};

static inline stc_rc io_read(struct io *io, uint8_t *p, size_t cap, size_t *got,
                             struct deadline d, struct stc_err *err)
{
    return io->ops->read(io, p, cap, got, d, err);
}

static inline stc_rc io_write(struct io *io, const uint8_t *p, size_t n, struct deadline d,
                              struct stc_err *err)
{
    return io->ops->write(io, p, n, d, err);
}

struct buf;
/** A parser for io_read_parse: STC_OK done, STC_E_NOTFOUND needs more bytes, else an error. */
typedef stc_rc (*io_parse_fn)(void *ctx, const uint8_t *p, size_t n, struct stc_err *err);
/**
 * The one read loop (io_read.c): offer parse everything in `in`, read at most
 * chunk more bytes (never past in->max) while it answers STC_E_NOTFOUND.
 * Returns the parser's answer, STC_E_LIMIT for a full buffer, or io_read's error.
 */
stc_rc io_read_parse(struct io *io, struct buf *in, size_t chunk, struct deadline d,
                     io_parse_fn parse, void *ctx, struct stc_err *err);

/** A struct io over a connected non-blocking socket; ctx holds the fd. */
struct io_sock {
    struct io io;
    int fd;
};
void io_sock_init(struct io_sock *s, int fd);

/**
 * Connect a non-blocking TCP socket to a numeric IPv4/IPv6 address.
 * STC_E_PEER "connection refused"/"network unreachable", STC_E_TIMEOUT,
 * STC_E_INVAL for an unparsable address, STC_E_IO otherwise.
 */
stc_rc sock_connect(const char *addr, int port, struct deadline d, int *fd_out,
                    struct stc_err *err);

/** Close a socket, abortively when `reset` (RST instead of FIN). fd < 0 is fine. */
void sock_close(int fd, int reset);

#endif
