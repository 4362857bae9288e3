/* scan_seen.h - a growing set of exact names (duplicates, resume, unique hosts). */
#ifndef STC_SCAN_SEEN_H
#define STC_SCAN_SEEN_H

#include <stddef.h>
#include <stdint.h>

#include <starttls/error.h>

struct seen_slot {
    uint32_t tag; /* high half of the name's hash, never 0; 0 = empty. Also its home slot */
    uint32_t off; /* where the name starts: below base in the spill file, else in the arena */
};

struct scan_seen {
    struct seen_slot *slots; /* open addressing, at most 3/4 full */
    size_t cap;              /* 0 before the first add, then 1024, grown by 1.5x */
    size_t n;
    char **chunks; /* the names, NUL-terminated, in fixed-size chunks */
    size_t nchunks, used; /* chunks in use; bytes used in the last one */
    uint64_t base; /* names below this offset are in the spill file, the rest in chunks */
    int spill;     /* 1: the one chunk is a write buffer, flushed to the spill file */
    int fd;        /* the unlinked spill file, or -1 */
    uint64_t (*hash)(const void *p, size_t n); /* scan_hash; tests may replace it */
};

uint64_t scan_hash(const void *p, size_t n);

/** A set whose names stay in memory (small sets; cannot fail on lookup). */
void scan_seen_init(struct scan_seen *s);
/** A set whose names go to an unlinked file under $TMPDIR (or /tmp) once they pass
 * 64 KiB, leaving 8-byte slots in memory; in memory when no file can be made. */
void scan_seen_init_spill(struct scan_seen *s);
void scan_seen_free(struct scan_seen *s);
/** Add key; *was_new is 1 when it was not there. STC_E_NOMEM, STC_E_INVAL, STC_E_LIMIT,
 * STC_E_IO (a spilled name could not be read back). */
stc_rc scan_seen_add(struct scan_seen *s, const char *key, int *was_new, struct stc_err *err);
/** *found = 1 when key is in the set. STC_E_IO when a spilled name cannot be read back. */
stc_rc scan_seen_find(const struct scan_seen *s, const char *key, int *found,
                      struct stc_err *err);
/** 1 when key is in the set: for sets made with scan_seen_init (a spilled set's read
 * error would read as "absent"; use scan_seen_find for those). */
int scan_seen_has(const struct scan_seen *s, const char *key);

#endif
