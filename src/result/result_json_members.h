/* result_json_members.h - the members of one JSON object built from a list
 * of candidates: each key once, at its first place, with its last value. */
#ifndef STC_RESULT_JSON_MEMBERS_H
#define STC_RESULT_JSON_MEMBERS_H

#include <stddef.h>
#include <stdint.h>

#include "../util/err.h"

/** value of a member whose key an earlier member already has. */
#define JSON_MEMBER_SKIP SIZE_MAX
/** Members held without an allocation. */
#define JSON_MEMBERS_INLINE 16

struct json_member {
    const char *key; /* the key's bytes (not copied) */
    size_t len;
    size_t item;  /* the candidate this member came from */
    size_t value; /* after json_members_resolve: the candidate whose value the key holds */
};

struct json_members {
    struct json_member inline_m[JSON_MEMBERS_INLINE];
    struct json_member *m; /* inline_m, or malloc'd when more are needed */
    size_t n, cap;
};

/** Room for up to cap members. STC_E_NOMEM. */
stc_rc json_members_init(struct json_members *ms, size_t cap, struct stc_err *err);
/** Append a member (items in increasing order; at most cap of them). */
void json_members_add(struct json_members *ms, const char *key, size_t len, size_t item);
/**
 * Settle duplicate keys as a JSON object would (jansson's json_object_set
 * replaces a value in place): the first member with a key gets as value the
 * item of the last member with that key; every later one gets
 * JSON_MEMBER_SKIP. Members stay in the order they were added.
 */
void json_members_resolve(struct json_members *ms);
void json_members_free(struct json_members *ms);

#endif
