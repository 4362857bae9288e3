/* tls_testsrv.h - a scripted TLS (or not-TLS) server in a thread, and a test
 * PKI, for test_tls_*.c. Header-only: each test executable is one .c file.
 *
 * The server listens on 127.88.0.1:<ephemeral>, takes one connection and
 * behaves as srv_cfg.mode says. All its socket waits are bounded (10 s) so a
 * failing test cannot hang. The PKI comes from tls_certs.sh next to this file.
 */
#ifndef STC_TEST_TLS_TESTSRV_H
#define STC_TEST_TLS_TESTSRV_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "tls/tls.h"
#include "util/io.h"

#define SRV_ADDR "127.88.0.1"

enum srv_mode {
    SRV_TLS,        /* TLS server per the fields below */
    SRV_GARBAGE,    /* plaintext SMTP banner instead of TLS */
    SRV_SILENT,     /* read the ClientHello, never answer */
    SRV_RESET,      /* read the ClientHello, then RST */
    SRV_EOF,        /* read the ClientHello, then FIN */
    SRV_BAD_RECORD, /* answer with a record header claiming 65535 bytes */
    SRV_TRUNCATED   /* answer with half a ServerHello record, then FIN */
};

enum srv_after {
    AFTER_WAIT = 0, /* after the handshake: wait for the client to go */
    AFTER_ECHO,     /* read one line, answer "250 " + line, close_notify, wait */
    AFTER_ECHO_FIN, /* as AFTER_ECHO, then close without close_notify */
    AFTER_SINK      /* read sink_bytes, answer "done\n", wait */
};

struct srv_cfg {
    enum srv_mode mode;
    const char *chain; /* PEM file: leaf first, then the chain to send */
    const char *key;
    int min_version, max_version;
    const char *ciphers; /* TLS <= 1.2 list */
    const char *suites;  /* TLS 1.3 suites ("" none) */
    int seclevel0;
    enum srv_after after;
    size_t sink_bytes;
};

struct srv {
    struct srv_cfg cfg;
    int lfd;
    int port;
    pthread_t th;
    /* results, read after srv_stop() */
    int handshake_ok;
    int saw_close_notify;
    char line[256];
    size_t sunk;
};

static inline int srv_wait_in(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN, .revents = 0};
    return poll(&p, 1, 10000) == 1;
}

static inline void srv_drain_until_eof(int fd)
{
    char b[4096];
    while (srv_wait_in(fd)) {
        ssize_t n = recv(fd, b, sizeof b, 0);
        if (n <= 0)
            break;
    }
}

static inline void srv_read_hello(int fd)
{
    char b[4096];
    if (srv_wait_in(fd))
        (void)recv(fd, b, sizeof b, 0);
}

static inline void srv_send(int fd, const void *p, size_t n)
{
    (void)send(fd, p, n, MSG_NOSIGNAL);
}

static inline void srv_tls(struct srv *s, int fd)
{
    struct srv_cfg *c = &s->cfg;
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    SSL *ssl = NULL;
    if (ctx == NULL)
        goto out;
    if (c->seclevel0)
        SSL_CTX_set_security_level(ctx, 0);
    if (c->min_version)
        SSL_CTX_set_min_proto_version(ctx, c->min_version);
    if (c->max_version)
        SSL_CTX_set_max_proto_version(ctx, c->max_version);
    if (c->ciphers && SSL_CTX_set_cipher_list(ctx, c->ciphers) != 1)
        goto out;
    if (c->suites && SSL_CTX_set_ciphersuites(ctx, c->suites) != 1)
        goto out;
    SSL_CTX_set_dh_auto(ctx, 1);
    if (c->chain && (SSL_CTX_use_certificate_chain_file(ctx, c->chain) != 1 ||
                     SSL_CTX_use_PrivateKey_file(ctx, c->key, SSL_FILETYPE_PEM) != 1))
        goto out;
    ssl = SSL_new(ctx);
    if (ssl == NULL || SSL_set_fd(ssl, fd) != 1)
        goto out;
    if (SSL_accept(ssl) != 1)
        goto out;
    s->handshake_ok = 1;
    if (c->after == AFTER_ECHO || c->after == AFTER_ECHO_FIN) {
        char b[200];
        size_t got = 0;
        while (got < sizeof b && memchr(b, '\n', got) == NULL) {
            size_t n = 0;
            if (SSL_read_ex(ssl, b + got, sizeof b - got, &n) != 1)
                goto out;
            got += n;
        }
        memcpy(s->line, b, got < sizeof s->line - 1 ? got : sizeof s->line - 1);
        char reply[260] = "250 ";
        memcpy(reply + 4, b, got);
        size_t w;
        SSL_write_ex(ssl, reply, 4 + got, &w);
        if (c->after == AFTER_ECHO_FIN)
            goto out;
        SSL_shutdown(ssl);
    } else if (c->after == AFTER_SINK) {
        char b[16384];
        while (s->sunk < c->sink_bytes) {
            size_t n = 0;
            if (SSL_read_ex(ssl, b, sizeof b, &n) != 1)
                goto out;
            s->sunk += n;
        }
        size_t w;
        SSL_write_ex(ssl, "done\n", 5, &w);
    }
    /* Wait for the client to finish: close_notify or EOF. */
    for (;;) {
        char b[1024];
        size_t n = 0;
        if (SSL_read_ex(ssl, b, sizeof b, &n) == 1)
            continue;
        if (SSL_get_error(ssl, 0) == SSL_ERROR_ZERO_RETURN)
            s->saw_close_notify = 1;
        break;
    }
out:
    ERR_clear_error();
    SSL_free(ssl);
    SSL_CTX_free(ctx);
}

static void *srv_main(void *arg)
{
    struct srv *s = arg;
    if (!srv_wait_in(s->lfd))
        return NULL;
    int fd = accept(s->lfd, NULL, NULL);
    if (fd < 0)
        return NULL;
    struct timeval tv = {10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    static const char banner[] = "220 mx.good.test ESMTP not TLS at all\r\n";
    static const unsigned char bad[] = {0x16, 0x03, 0x03, 0xff, 0xff, 1, 2, 3, 4, 5, 6, 7, 8};
    static const unsigned char half[] = {0x16, 0x03, 0x03, 0x00, 0x7a,
                                         0x02, 0x00, 0x00, 0x76, 0x03};
    switch (s->cfg.mode) {
    case SRV_TLS: srv_tls(s, fd); break;
    case SRV_GARBAGE:
        srv_send(fd, banner, sizeof banner - 1);
        srv_drain_until_eof(fd);
        break;
    case SRV_SILENT: srv_drain_until_eof(fd); break;
    case SRV_RESET: {
        srv_read_hello(fd);
        struct linger lg = {1, 0};
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        break;
    }
    case SRV_EOF: srv_read_hello(fd); break;
    case SRV_BAD_RECORD:
        srv_read_hello(fd);
        srv_send(fd, bad, sizeof bad);
        srv_drain_until_eof(fd);
        break;
    case SRV_TRUNCATED:
        srv_read_hello(fd);
        srv_send(fd, half, sizeof half);
        break;
    }
    close(fd);
    return NULL;
}

/* Start a server; returns 0 on success. */
static inline int srv_start(struct srv *s, const struct srv_cfg *cfg)
{
    memset(s, 0, sizeof *s);
    s->cfg = *cfg;
    s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s->lfd < 0)
        return -1;
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    inet_pton(AF_INET, SRV_ADDR, &a.sin_addr);
    socklen_t al = sizeof a;
    if (bind(s->lfd, (struct sockaddr *)&a, sizeof a) != 0 || listen(s->lfd, 4) != 0 ||
        getsockname(s->lfd, (struct sockaddr *)&a, &al) != 0) {
        close(s->lfd);
        return -1;
    }
    s->port = ntohs(a.sin_port);
    if (pthread_create(&s->th, NULL, srv_main, s) != 0) {
        close(s->lfd);
        return -1;
    }
    return 0;
}

static inline void srv_stop(struct srv *s)
{
    pthread_join(s->th, NULL);
    close(s->lfd);
}

/* ---- the test PKI ---- */

struct pki {
    char dir[64];
};

static char *pki_path(const struct pki *p, const char *name, char *buf, size_t n)
{
    snprintf(buf, n, "%s/%s", p->dir, name);
    return buf;
}

static inline int pki_make(struct pki *p)
{
    char script[1024], cmd[1400];
    const char *src = __FILE__;
    const char *slash = strrchr(src, '/');
    size_t dl = slash != NULL ? (size_t)(slash - src) : 0;
    snprintf(script, sizeof script, "%.*s%stls_certs.sh", (int)dl, src, dl ? "/" : "");
    snprintf(p->dir, sizeof p->dir, "/tmp/stc_tls_XXXXXX");
    if (mkdtemp(p->dir) == NULL)
        return -1;
    snprintf(cmd, sizeof cmd, "sh '%s' '%s' >/dev/null 2>&1", script, p->dir);
    return system(cmd) == 0 ? 0 : -1;
}

static inline void pki_remove(struct pki *p)
{
    char cmd[128];
    if (p->dir[0] == '\0')
        return;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", p->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", p->dir);
}

/* Read a 64-hex-digit file into 32 bytes and the hex string. */
static inline int pki_hash(const struct pki *p, const char *name, unsigned char out[32],
                           char hex[65])
{
    char path[128];
    FILE *f = fopen(pki_path(p, name, path, sizeof path), "r");
    if (f == NULL)
        return -1;
    size_t n = fread(hex, 1, 64, f);
    fclose(f);
    hex[n] = '\0';
    if (n != 64)
        return -1;
    for (int i = 0; i < 32; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1)
            return -1;
        out[i] = (unsigned char)v;
    }
    return 0;
}

#endif
