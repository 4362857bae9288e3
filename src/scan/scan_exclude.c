/*
 * NAME
 *     scan_exclude - the opt-out list of a scan (--exclude FILE)
 * SYNOPSIS
 *     scan_exclude_load("optout.txt", &x, err);
 *     scan_exclude_name(x, "mail.example.com");   scan_exclude_addr(x, "192.0.2.7");
 * DESCRIPTION
 *     One entry a line; blank lines and '#' comments are skipped, white
 *     space around an entry is ignored. An entry is a domain name (it and
 *     every name under it are excluded: an opt-out of example.com covers
 *     mx.example.com), an IPv4 or IPv6 address, or a CIDR range
 *     (192.0.2.0/24, 2001:db8::/32). An IPv4-mapped IPv6 address or range
 *     (::ffff:192.0.2.7, ::ffff:192.0.2.0/120, prefix /96 or longer) is the
 *     IPv4 one, in entries and in the addresses asked about, so either
 *     spelling of an entry covers either spelling of an address. Domains go through stc_domain_normalize
 *     and are kept in an exact set (scan_seen); ranges in a list, searched
 *     linearly (opt-out lists are short).
 *
 *     The scan asks before any packet: an excluded input domain is not
 *     looked up at all (its record says "excluded"), an excluded MX host
 *     name is not resolved, the connection gate refuses an excluded
 *     address before connect(), and the MTA-STS policy fetch skips it
 *     (scan_exclude_allows, the checker's address policy).
 * LIMITS
 *     Lines up to 1023 bytes; up to 1,000,000 entries.
 * DIAGNOSTICS
 *     STC_E_PARSE "FILE line N: ..." for an entry that is none of the above.
 */
#include "scan_exclude.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <starttls/checker.h>

#include "../util/err.h"
#include "../util/limits.h"
#include "../util/text.h"
#include "scan_seen.h"

#define LINE_MAX_X 1024
#define ENTRIES_MAX 1000000

struct range {
    int family; /* AF_INET, AF_INET6 */
    unsigned char net[16];
    unsigned bits;
};

struct scan_exclude {
    struct scan_seen names;
    struct range *ranges;
    size_t n, cap;
};

void scan_exclude_free(struct scan_exclude *x)
{
    if (x == NULL)
        return;
    scan_seen_free(&x->names);
    free(x->ranges);
    free(x);
}

static const unsigned char MAPPED[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* An IPv4-mapped IPv6 address (::ffff:a.b.c.d) in a, with a prefix of *bits
 * (NULL: a whole address) of at least 96, becomes the IPv4 address (and
 * prefix); returns the family after. */
static int unmap(unsigned char *a, unsigned *bits)
{
    if (memcmp(a, MAPPED, sizeof MAPPED) != 0 || (bits != NULL && *bits < 96))
        return AF_INET6;
    memmove(a, a + sizeof MAPPED, 4);
    memset(a + 4, 0, 12);
    if (bits != NULL)
        *bits -= 96;
    return AF_INET;
}

/* addr[/bits] into r; 0 when it is not one. */
static int parse_range(const char *s, struct range *r)
{
    char a[INET6_ADDRSTRLEN + 8];
    const char *slash = strchr(s, '/');
    size_t n = slash ? (size_t)(slash - s) : strlen(s);
    if (n == 0 || n >= sizeof a)
        return 0;
    memcpy(a, s, n);
    a[n] = '\0';
    memset(r, 0, sizeof *r);
    if (inet_pton(AF_INET, a, r->net) == 1)
        r->family = AF_INET;
    else if (inet_pton(AF_INET6, a, r->net) == 1)
        r->family = AF_INET6;
    else
        return 0;
    unsigned max = r->family == AF_INET ? 32 : 128;
    r->bits = max;
    if (slash != NULL) {
        char *end = NULL;
        errno = 0;
        long b = strtol(slash + 1, &end, 10);
        if (end == slash + 1 || *end != '\0' || errno != 0 || b < 0 || b > (long)max)
            return 0;
        r->bits = (unsigned)b;
    }
    if (r->family == AF_INET6)
        r->family = unmap(r->net, &r->bits);
    return 1;
}

static int in_range(const struct range *r, int family, const unsigned char *a)
{
    if (r->family != family)
        return 0;
    unsigned full = r->bits / 8, rest = r->bits % 8;
    if (memcmp(r->net, a, full) != 0)
        return 0;
    if (rest == 0)
        return 1;
    unsigned char mask = (unsigned char)(0xff << (8 - rest));
    return (r->net[full] & mask) == (a[full] & mask);
}

static stc_rc add_entry(struct scan_exclude *x, const char *e, const char *path,
                        unsigned long lineno, struct stc_err *err)
{
    struct range r;
    char name[STC_DOMAIN_MAX + 2];
    struct stc_err ne = {0};
    if (x->n + x->names.n >= ENTRIES_MAX)
        return err_set(err, STC_E_LIMIT, "%s: more than %d entries", path, ENTRIES_MAX);
    if (parse_range(e, &r)) {
        if (x->n == x->cap) {
            size_t cap = x->cap ? 2 * x->cap : 16;
            struct range *nr = realloc(x->ranges, cap * sizeof *nr);
            if (nr == NULL)
                return err_set(err, STC_E_NOMEM, "out of memory");
            x->ranges = nr;
            x->cap = cap;
        }
        x->ranges[x->n++] = r;
        return STC_OK;
    }
    if (strchr(e, '/') == NULL && stc_domain_normalize(e, name, sizeof name, &ne) == STC_OK)
        return scan_seen_add(&x->names, name, NULL, err);
    char shown[96];
    text_escape(e, strlen(e), shown, sizeof shown);
    return err_set(err, STC_E_PARSE,
                   "%s line %lu: \"%s\" is not a domain name, an IP address or a CIDR range", path,
                   lineno, shown);
}

stc_rc scan_exclude_load(const char *path, struct scan_exclude **out, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    char line[LINE_MAX_X];
    unsigned long lineno = 0;
    struct scan_exclude *x = calloc(1, sizeof *x);
    if (x == NULL)
        return err_set(err, STC_E_NOMEM, "out of memory");
    scan_seen_init(&x->names);
    FILE *f = fopen(path, "r");
    STC_ENSURE(f != NULL, err, STC_E_IO, "%s: %s", path, strerror(errno));
    while (fgets(line, sizeof line, f) != NULL) {
        lineno++;
        size_t n = strlen(line);
        STC_ENSURE(n + 1 < sizeof line || line[n - 1] == '\n' || feof(f), err, STC_E_PARSE,
                   "%s line %lu: longer than %d bytes", path, lineno, LINE_MAX_X - 1);
        char *s = line;
        while (*s == ' ' || *s == '\t')
            s++;
        n = strlen(s);
        while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' ||
                         s[n - 1] == '\t'))
            s[--n] = '\0';
        if (n == 0 || s[0] == '#')
            continue;
        STC_GUARD(add_entry(x, s, path, lineno, err));
    }
    STC_ENSURE(!ferror(f), err, STC_E_IO, "%s: read error", path);
    fclose(f);
    *out = x;
    return STC_OK;
out:
    if (f != NULL)
        fclose(f);
    scan_exclude_free(x);
    return rc;
}

int scan_exclude_name(const struct scan_exclude *x, const char *name)
{
    if (x == NULL || x->names.n == 0)
        return 0;
    for (const char *p = name; p != NULL && *p != '\0';) {
        if (scan_seen_has(&x->names, p))
            return 1;
        p = strchr(p, '.');
        if (p != NULL)
            p++;
    }
    return 0;
}

int scan_exclude_addr(const struct scan_exclude *x, const char *addr)
{
    unsigned char a[16];
    int family;
    if (x == NULL || x->n == 0)
        return 0;
    if (inet_pton(AF_INET, addr, a) == 1)
        family = AF_INET;
    else if (inet_pton(AF_INET6, addr, a) == 1)
        family = unmap(a, NULL);
    else
        return 0;
    for (size_t i = 0; i < x->n; i++)
        if (in_range(&x->ranges[i], family, a))
            return 1;
    return 0;
}

int scan_exclude_allows(void *ctx, const char *addr)
{
    return !scan_exclude_addr(ctx, addr);
}
