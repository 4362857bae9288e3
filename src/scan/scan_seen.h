/* scan_seen.h - a growing set of exact names (duplicates, resume, unique hosts). */
#ifndef STC_SCAN_SEEN_H
#define STC_SCAN_SEEN_H

#include <stddef.h>
#include <stdint.h>

#include <starttls/error.h>

struct seen_slot {
    uint32_t tag; /* high half of the name's hash, never 0; 0 = empty */
    uint32_t off; /* where the name starts in the arena (chunk * SEEN_CHUNK + offset) */
};

struct scan_seen {
    struct seen_slot *slots; /* open addressing, at most 3/4 full */
    size_t cap;              /* power of two, or 0 before the first add */
    size_t n;
    char **chunks; /* the names, NUL-terminated, in fixed-size chunks */
    size_t nchunks, used; /* chunks in use; bytes used in the last one */
    uint64_t (*hash)(const void *p, size_t n); /* scan_hash; tests may replace it */
};

uint64_t scan_hash(const void *p, size_t n);

void scan_seen_init(struct scan_seen *s);
void scan_seen_free(struct scan_seen *s);
/** Add key; *was_new is 1 when it was not there. STC_E_NOMEM. */
stc_rc scan_seen_add(struct scan_seen *s, const char *key, int *was_new, struct stc_err *err);
/** 1 when key is in the set. */
int scan_seen_has(const struct scan_seen *s, const char *key);

#endif
