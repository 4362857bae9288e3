/*
 * NAME
 *     check_domain - check one mail domain with libstarttls (example)
 * SYNOPSIS
 *     check_domain DOMAIN [RESOLVER [TRUST_ANCHOR [CA_FILE]]]
 *
 *     cc check_domain.c $(pkg-config --cflags --libs starttls) -o check_domain
 * DESCRIPTION
 *     Uses the public API only (<starttls/starttls.h>): makes a config, sets
 *     the resolver ("ADDR" or "ADDR@PORT"), the DNSSEC trust anchor file and
 *     the CA file when given ("-" or "" leaves the default), makes a checker,
 *     checks DOMAIN, walks the result tree printing every MX host and check
 *     with its status (and every domain-level check), then prints the tree
 *     as JSON. Strings in the tree come escaped from the library already.
 * DIAGNOSTICS
 *     Exit status: the domain status code (0 success .. 6), 64 for a usage
 *     error or an invalid argument, 70 when the library fails otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <starttls/starttls.h>

static int given(int argc, char **argv, int i)
{
    return argc > i && argv[i][0] != '\0' && strcmp(argv[i], "-") != 0;
}

/* One line per node: indent, name, status; then its messages. */
static void walk(const struct stc_result *r, int depth)
{
    printf("%*s%s: %s\n", depth * 2, "", stc_result_name(r), stc_status_text(stc_result_status(r)));
    for (size_t i = 0; i < stc_result_message_count(r); i++)
        printf("%*s- %s\n", depth * 2 + 2, "", stc_result_message(r, i));
    for (size_t i = 0; i < stc_result_child_count(r); i++)
        walk(stc_result_child(r, i), depth + 1);
}

int main(int argc, char **argv)
{
    struct stc_err err;
    struct stc_config *cfg = NULL;
    struct stc_checker *checker = NULL;
    struct stc_result *res = NULL;
    char *json = NULL;
    int code = 70;
    stc_rc rc;

    if (argc < 2 || argc > 5) {
        fprintf(stderr, "usage: check_domain DOMAIN [RESOLVER [TRUST_ANCHOR [CA_FILE]]]\n");
        return 64;
    }
    stc_err_clear(&err);
    rc = stc_config_new(&cfg, &err);
    if (rc == STC_OK && given(argc, argv, 2))
        rc = stc_config_set_resolver(cfg, argv[2], &err);
    if (rc == STC_OK && given(argc, argv, 3))
        rc = stc_config_set_trust_anchor(cfg, argv[3], &err);
    if (rc == STC_OK && given(argc, argv, 4))
        rc = stc_config_set_ca_file(cfg, argv[4], &err);
    if (rc == STC_OK)
        rc = stc_checker_new(cfg, &checker, &err);
    if (rc == STC_OK)
        rc = stc_checker_check_domain(checker, argv[1], NULL, &res, &err);
    if (rc != STC_OK) {
        fprintf(stderr, "check_domain: %s: %s\n", stc_rc_name(rc), err.msg);
        code = rc == STC_E_INVAL ? 64 : 70;
        goto out;
    }

    printf("%s: %s (%d)\n", stc_result_name(res),
           stc_domain_status_text(stc_result_domain_status(res)),
           (int)stc_result_domain_status(res));
    for (size_t i = 0; i < stc_result_child_count(res); i++) {
        const struct stc_result *c = stc_result_child(res, i);
        long long pref = -1;
        if (stc_result_kind(c) == STC_NODE_HOST) {
            const char *addr = stc_result_get_str(c, "address");
            stc_result_get_int(c, "preference", &pref);
            printf("host %s (preference %lld, address %s): %s\n", stc_result_name(c), pref,
                   addr ? addr : "-", stc_status_text(stc_result_status(c)));
            for (size_t k = 0; k < stc_result_child_count(c); k++)
                walk(stc_result_child(c, k), 1);
        } else {
            printf("domain check ");
            walk(c, 0);
        }
    }

    rc = stc_result_to_json(res, 0, &json, &err);
    if (rc != STC_OK) {
        fprintf(stderr, "check_domain: json: %s\n", err.msg);
        goto out;
    }
    printf("%s\n", json);
    code = (int)stc_result_domain_status(res);
out:
    stc_free(json);
    stc_result_free(res);
    stc_checker_free(checker);
    stc_config_free(cfg);
    return code;
}
