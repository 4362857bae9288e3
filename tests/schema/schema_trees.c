/*
 * NAME
 *     schema_trees - print the JSON of result trees for the schema test
 * SYNOPSIS
 *     schema_trees sample|full|host
 * DESCRIPTION
 *     "sample": stc_result_sample("example.com") as the CLI would print it.
 *     "full": a hand-built domain tree that sets every key of docs/json.md:
 *     every domain key (recommendations and details too), hosts with and
 *     without an address, every check with messages, a result_type,
 *     recommendations, details of every fact type (string, int, bool, list,
 *     an empty list), nested sub-checks, every status 0..3, the mta_sts
 *     node and every extra_results check; domain status 2. "host": one host
 *     node serialized on its own. tests/schema/validate_schema.py checks
 *     them against docs/starttls-check.schema.json.
 * DIAGNOSTICS
 *     Exit 0 after printing; 1 on a library error or an unknown argument.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <starttls/starttls.h>

#include "result/result_tree.h"

static void every_fact(struct stc_result *c)
{
    result_fact_str(c, "text", "value with \x01 control and \xc3\xa9 UTF-8");
    result_fact_int(c, "number", -42);
    result_fact_bool(c, "flag", 1);
    result_fact_list_add(c, "items", "one");
    result_fact_list_add(c, "items", "two");
    result_fact_list(c, "empty");
}

static struct stc_result *host(struct stc_result *root, const char *name, int with_addr,
                               stc_status worst)
{
    struct stc_result *h =
        result_add(root, result_new(STC_NODE_HOST, name, "Checks of one MX host"));
    result_fact_str(h, "domain", "full.example");
    result_fact_str(h, "hostname", name);
    result_fact_int(h, "preference", 10);
    if (with_addr)
        result_fact_str(h, "address", "2001:db8::25");
    result_fact_bool(h, "connected", with_addr);
    result_fact_int(h, "connections", 3);
    if (worst > STC_STATUS_SUCCESS) {
        result_set_type(h, "validation-failure");
        result_recommend(h, "a host-level recommendation");
    }
    const char *names[] = {"connectivity", "starttls", "certificate", "version", "cipher", "dane"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        struct stc_result *c = result_add_check(h, names[i], "what this check verifies");
        stc_status s = (stc_status)(i % 4);
        if (s > worst)
            s = worst;
        if (s == STC_STATUS_SUCCESS)
            result_note(c, "a note");
        else
            result_msg(c, s, "a finding at status %d", (int)s);
        if (s != STC_STATUS_SUCCESS) {
            result_set_type(c, "validation-failure");
            result_recommend(c, "the fix for %s", names[i]);
        }
        every_fact(c);
    }
    struct stc_result *cert = result_find_mut(h, "certificate");
    result_fact_int(cert, "days_to_expiry", -3);
    result_fact_bool(cert, "valid", 0);
    result_fact_bool(cert, "chain_trusted", 1);
    result_fact_bool(cert, "name_matches", 1);
    result_fact_list_add(cert, "subject_names", name);
    result_fact_str(cert, "not_after", "2021-01-01T00:00:00Z");
    return h;
}

static struct stc_result *full_tree(void)
{
    struct stc_result *root =
        result_new(STC_NODE_DOMAIN, "full.example", "Mail transport security");
    result_verdict(root, "mx1.full.example: problems found");
    result_note(root, "a second root message");
    result_fact_list_add(root, "mx_hostnames", "*.full.example");
    result_fact_list_add(root, "mx_hosts", "mx1.full.example");
    result_fact_list_add(root, "mx_hosts", "mx2.full.example");
    result_fact_list_add(root, "preferred_hostnames", "mx1.full.example");
    result_fact_bool(root, "implicit_mx", 0);
    result_fact_bool(root, "null_mx", 0);
    result_fact_str(root, "mx_dnssec", "secure");
    result_fact_int(root, "extra_number", 7);
    result_recommend(root, "a domain-level recommendation");
    host(root, "mx1.full.example", 1, STC_STATUS_ERROR);
    host(root, "mx2.full.example", 0, STC_STATUS_SUCCESS);

    struct stc_result *m = result_add_check(root, "mta_sts", "MTA-STS");
    result_fact_str(m, "policy", "version: STSv1\r\nmode: testing\r\nmx: *.full.example\r\n"
                                 "max_age: 604800\r\n");
    result_fact_str(m, "mode", "testing");
    result_fact_int(m, "max_age", 604800);
    result_fact_list_add(m, "mx", "*.full.example");
    result_fact_bool(m, "active", 1);
    struct stc_result *t = result_add_check(m, "mta-sts-text", "TXT");
    result_note(t, "fine");
    struct stc_result *p = result_add_check(m, "mta-sts-policy-file", "policy");
    result_msg(p, STC_STATUS_WARNING, "served as text/html");
    result_recommend(p, "serve text/plain");
    struct stc_result *deep = result_add_check(p, "nested", "a sub-sub-check");
    result_msg(deep, STC_STATUS_FAILURE, "deep failure");
    result_set_type(deep, "sts-policy-invalid");
    result_recommend(deep, "fix the deep thing");
    result_set_type(m, "sts-policy-invalid");

    const char *extra[] = {"tls-rpt", "dane", "policylist"};
    for (size_t i = 0; i < 3; i++) {
        struct stc_result *c = result_add_check(root, extra[i], "domain-level check");
        every_fact(c);
        if (i == 0) {
            result_msg(c, STC_STATUS_WARNING, "no TLS-RPT record");
            result_recommend(c, "publish one");
        } else {
            result_note(c, "ok");
        }
    }
    result_fact_str(result_find_mut(root, "dane"), "mx_dnssec", "secure");
    result_rollup(root);
    result_set_domain_status(root, STC_DOMAIN_FAILURE);
    return root;
}

static int print(const struct stc_result *r, const char *what)
{
    struct stc_err e = {0};
    char *json = NULL;
    if (r == NULL || result_oom(r) || stc_result_to_json(r, 0, &json, &e) != STC_OK) {
        fprintf(stderr, "schema_trees: %s: cannot serialize: %s\n", what, e.msg);
        return 1;
    }
    printf("%s\n", json);
    free(json);
    return 0;
}

int main(int argc, char **argv)
{
    struct stc_err e = {0};
    struct stc_result *r = NULL;
    int rc = 1;
    if (argc != 2) {
        fprintf(stderr, "usage: schema_trees sample|full|host\n");
        return 1;
    }
    if (strcmp(argv[1], "sample") == 0) {
        if (stc_result_sample("example.com", &r, &e) != STC_OK) {
            fprintf(stderr, "schema_trees: sample: %s\n", e.msg);
            return 1;
        }
        rc = print(r, "sample");
    } else if (strcmp(argv[1], "full") == 0) {
        r = full_tree();
        rc = print(r, "full");
    } else if (strcmp(argv[1], "host") == 0) {
        r = full_tree();
        rc = print(stc_result_child(r, 0), "host");
    } else {
        fprintf(stderr, "schema_trees: unknown tree \"%s\"\n", argv[1]);
    }
    stc_result_free(r);
    return rc;
}
