/*
 * NAME
 *     addr_filter - refuse connections to non-public addresses
 * SYNOPSIS
 *     const char *why = addr_blocked("10.1.2.3");   NULL: public
 *     rc = addr_filter_check(allow_private, addr, err);
 * DESCRIPTION
 *     Two tables of prefixes (IPv4, IPv6), most specific first, each with
 *     the range's name as the reason. IPv4: this network, RFC 1918,
 *     CGNAT (RFC 6598), loopback, link-local, IETF protocol assignments,
 *     the three documentation nets, the old 6to4 relay anycast, the
 *     benchmarking net, multicast, reserved (240/4) and broadcast, and the
 *     cloud metadata addresses by name. IPv6: only global unicast
 *     (2000::/3) can pass, and inside it the documentation prefixes
 *     (2001:db8::/32, 3fff::/20), the IETF protocol assignments
 *     (2001::/23, Teredo and ORCHID included) are refused; IPv4-mapped,
 *     NAT64 (64:ff9b::/96) and 6to4 (2002::/16) addresses are judged by
 *     the IPv4 address inside. The reasons are static strings.
 *     Pure functions: no state, no I/O.
 * DIAGNOSTICS
 *     addr_filter_check: STC_E_BLOCKED for a refused address (the message
 *     says "not tested: address X is RANGE"), STC_OK otherwise.
 */
#include "addr_filter.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "err.h"

struct range {
    uint8_t prefix[16];
    unsigned bits;
    const char *why;
};

static const struct range v4[] = {
    {{169, 254, 169, 254}, 32, "a cloud metadata address (169.254.169.254)"},
    {{100, 100, 100, 200}, 32, "a cloud metadata address (100.100.100.200)"},
    {{192, 0, 0, 192}, 32, "a cloud metadata address (192.0.0.192)"},
    {{0, 0, 0, 0}, 8, "in \"this network\" (0.0.0.0/8)"},
    {{10, 0, 0, 0}, 8, "private (RFC 1918, 10.0.0.0/8)"},
    {{100, 64, 0, 0}, 10, "shared CGNAT space (RFC 6598, 100.64.0.0/10)"},
    {{127, 0, 0, 0}, 8, "loopback (127.0.0.0/8)"},
    {{169, 254, 0, 0}, 16, "link-local (169.254.0.0/16)"},
    {{172, 16, 0, 0}, 12, "private (RFC 1918, 172.16.0.0/12)"},
    {{192, 0, 0, 0}, 24, "reserved for IETF protocol assignments (192.0.0.0/24)"},
    {{192, 0, 2, 0}, 24, "documentation (TEST-NET-1, 192.0.2.0/24)"},
    {{192, 88, 99, 0}, 24, "reserved (former 6to4 relay anycast, 192.88.99.0/24)"},
    {{192, 168, 0, 0}, 16, "private (RFC 1918, 192.168.0.0/16)"},
    {{198, 18, 0, 0}, 15, "reserved for benchmarking (198.18.0.0/15)"},
    {{198, 51, 100, 0}, 24, "documentation (TEST-NET-2, 198.51.100.0/24)"},
    {{203, 0, 113, 0}, 24, "documentation (TEST-NET-3, 203.0.113.0/24)"},
    {{224, 0, 0, 0}, 4, "multicast (224.0.0.0/4)"},
    {{255, 255, 255, 255}, 32, "the broadcast address (255.255.255.255)"},
    {{240, 0, 0, 0}, 4, "reserved (240.0.0.0/4)"},
};

static const struct range v6[] = {
    {{0}, 128, "the unspecified address (::)"},
    {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 128, "loopback (::1)"},
    {{0xfd, 0x00, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54},
     128,
     "a cloud metadata address (fd00:ec2::254)"},
    {{0x00, 0x64, 0xff, 0x9b, 0x00, 0x01}, 48, "local-use NAT64 (RFC 8215, 64:ff9b:1::/48)"},
    {{0x01, 0x00, 0, 0, 0, 0, 0, 0}, 64, "discard-only (100::/64)"},
    {{0x20, 0x01, 0x0d, 0xb8}, 32, "documentation (2001:db8::/32)"},
    {{0x3f, 0xff}, 20, "documentation (3fff::/20)"},
    {{0x20, 0x01}, 23, "reserved for IETF protocol assignments (2001::/23)"},
    {{0xfc}, 7, "unique local (ULA, fc00::/7)"},
    {{0xfe, 0x80}, 10, "link-local (fe80::/10)"},
    {{0xfe, 0xc0}, 10, "site-local (deprecated, fec0::/10)"},
    {{0xff}, 8, "multicast (ff00::/8)"},
};

static int in_prefix(const uint8_t *a, const uint8_t *p, unsigned bits)
{
    unsigned whole = bits / 8, rest = bits % 8;
    if (memcmp(a, p, whole) != 0)
        return 0;
    if (rest == 0)
        return 1;
    uint8_t mask = (uint8_t)(0xff << (8 - rest));
    return (a[whole] & mask) == (p[whole] & mask);
}

static const char *match(const struct range *t, size_t n, const uint8_t *a)
{
    for (size_t i = 0; i < n; i++)
        if (in_prefix(a, t[i].prefix, t[i].bits))
            return t[i].why;
    return NULL;
}

static const char *blocked4(const uint8_t *a)
{
    return match(v4, sizeof v4 / sizeof v4[0], a);
}

static const char *blocked6(const uint8_t *a)
{
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    static const uint8_t nat64[12] = {0x00, 0x64, 0xff, 0x9b};
    const char *why = match(v6, sizeof v6 / sizeof v6[0], a);
    if (why != NULL)
        return why;
    if (memcmp(a, mapped, sizeof mapped) == 0 || memcmp(a, nat64, sizeof nat64) == 0)
        return blocked4(a + 12);
    if (a[0] == 0x20 && a[1] == 0x02) /* 6to4: 2002:AABB:CCDD::/48 */
        return blocked4(a + 2);
    if ((a[0] & 0xe0) != 0x20)
        return "reserved (outside global unicast 2000::/3)";
    return NULL;
}

const char *addr_blocked_raw(int family, const void *bytes)
{
    if (family == AF_INET)
        return blocked4(bytes);
    if (family == AF_INET6)
        return blocked6(bytes);
    return "not an IP address";
}

const char *addr_blocked(const char *addr)
{
    uint8_t a[16];
    if (addr == NULL)
        return "not a numeric address";
    if (inet_pton(AF_INET, addr, a) == 1)
        return blocked4(a);
    if (inet_pton(AF_INET6, addr, a) == 1)
        return blocked6(a);
    return "not a numeric address";
}

stc_rc addr_filter_check(int allow_private, const char *addr, struct stc_err *err)
{
    if (allow_private)
        return STC_OK;
    const char *why = addr_blocked(addr);
    if (why == NULL)
        return STC_OK;
    return err_set(err, STC_E_BLOCKED,
                   "not tested: address %.46s is %s; this checker does not connect to such "
                   "addresses",
                   addr != NULL ? addr : "(none)", why);
}
