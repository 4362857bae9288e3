/*
 * NAME
 *     hostname - the machine's fully qualified name (the default EHLO name)
 * SYNOPSIS
 *     #include "util/hostname.h"
 *     char name[HOSTNAME_MAX];
 *     stc_rc rc = hostname_fqdn(name, sizeof name, &err);
 * DESCRIPTION
 *     As Postfix derives myhostname: gethostname(); a name with a dot is
 *     used as it is. A name without one is looked up (getaddrinfo with
 *     AI_CANONNAME, so /etc/hosts first, then DNS as nsswitch.conf says)
 *     and its canonical name is used when that has a dot and is not
 *     localhost; otherwise the short name stays. A name of localhost is
 *     refused: MTAs reject "EHLO localhost" or score it as spam, which
 *     would turn into false "EHLO rejected" verdicts.
 *     The result is lower-cased and holds only letters, digits, '-', '.'
 *     and '_' (anything else is refused rather than sent).
 * LIMITS
 *     getaddrinfo() takes no deadline; it runs only for a name without a
 *     dot, once per stc_config_new(). HOSTNAME_MAX - 1 bytes at most.
 * DIAGNOSTICS
 *     STC_E_INVAL when no usable name is found (empty, localhost, bad
 *     characters, too long), with the name seen; STC_E_INTERNAL when
 *     gethostname() fails.
 */
#include "hostname.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

int hostname_is_localhost(const char *name)
{
    size_t n = strlen("localhost");
    if (name == NULL || name[0] == '\0')
        return 1;
    return strncasecmp(name, "localhost", n) == 0 && (name[n] == '\0' || name[n] == '.');
}

/* Letters, digits, '-', '_' and '.', lower-cased in place; 0 otherwise. */
static int clean_name(char *s)
{
    for (char *p = s; *p; p++) {
        char c = *p;
        if (c >= 'A' && c <= 'Z')
            *p = (char)(c - 'A' + 'a');
        else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
                   c == '_'))
            return 0;
    }
    return 1;
}

/* The canonical name of short into out when it has a dot; 0 otherwise. */
static int canonical(const char *short_name, char *out, size_t outsz)
{
    struct addrinfo hints, *res = NULL;
    int found = 0;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_CANONNAME;
    if (getaddrinfo(short_name, NULL, &hints, &res) != 0)
        return 0;
    const char *cn = res ? res->ai_canonname : NULL;
    if (cn != NULL && strchr(cn, '.') != NULL && !hostname_is_localhost(cn) &&
        strlen(cn) < outsz) {
        snprintf(out, outsz, "%s", cn);
        found = 1;
    }
    freeaddrinfo(res);
    return found;
}

stc_rc hostname_fqdn(char *out, size_t outsz, struct stc_err *err)
{
    char name[HOSTNAME_MAX + 1];
    if (out == NULL || outsz == 0)
        return err_set(err, STC_E_INVAL, "hostname_fqdn: no output");
    out[0] = '\0';
    if (gethostname(name, sizeof name) != 0)
        return err_set(err, STC_E_INTERNAL, "gethostname: %s", strerror(errno));
    name[sizeof name - 1] = '\0';
    if (strchr(name, '.') == NULL && !hostname_is_localhost(name)) {
        char cn[HOSTNAME_MAX];
        if (canonical(name, cn, sizeof cn))
            snprintf(name, sizeof name, "%s", cn);
    }
    size_t n = strnlen(name, sizeof name);
    while (n > 0 && name[n - 1] == '.')
        name[--n] = '\0'; /* "host.example." -> "host.example" */
    if (hostname_is_localhost(name) || n >= outsz || n >= HOSTNAME_MAX || !clean_name(name))
        return err_set(err, STC_E_INVAL,
                       "this machine has no usable name for EHLO (gethostname gives \"%.64s\"); "
                       "give one with --helo NAME",
                       name);
    memcpy(out, name, n + 1);
    return STC_OK;
}
