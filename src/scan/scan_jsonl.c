/*
 * NAME
 *     scan_jsonl - JSON Lines sink and its resume reader
 * SYNOPSIS
 *     scan_jsonl_open(&j, "out.jsonl", resume, err);
 *     scan_jsonl_write(&j, compact_json, err);
 *     scan_jsonl_close(&j, err);
 *     scan_jsonl_load("out.jsonl", &done, &n, err);
 * DESCRIPTION
 *     One compact domain object per line (stc_result_to_json with
 *     STC_JSON_COMPACT). Each line, newline included, goes out in a single
 *     write() on an O_APPEND descriptor, so a crash leaves at most one torn
 *     last line; the resume reader drops it (ftruncate to the last LF) and
 *     reports every complete line's domain. A write that fails (disk full)
 *     is cut off at once, and the writer cuts a line whose database
 *     transaction then fails (scan_jsonl_undo), so file and database agree.
 *     The file is created with mode 0644 (less under the umask); the
 *     rewrite on --resume keeps the original's mode, is fsynced, renamed
 *     over it, and the directory is fsynced so the rename is durable. Lines start with
 *     {"domain":"NAME" (docs/json.md puts "domain" first).
 * LIMITS
 *     Lines of the file are read with a 16 MiB cap; longer ones are skipped.
 * DIAGNOSTICS
 *     STC_E_IO with the file name and errno text; STC_E_NOMEM.
 */
#include "scan_jsonl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/err.h"

#define LINE_CAP (16u << 20)
#define PREFIX "{\"domain\":\""

stc_rc scan_jsonl_open(struct scan_jsonl *j, const char *path, int resume, struct stc_err *err)
{
    j->owned = 0;
    if (strcmp(path, "-") == 0) {
        j->fd = STDOUT_FILENO;
        return STC_OK;
    }
    int flags = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (resume ? 0 : O_TRUNC);
    j->fd = open(path, flags, 0644);
    if (j->fd < 0)
        return err_set(err, STC_E_IO, "%s: %s", path, strerror(errno));
    j->owned = 1;
    return STC_OK;
}

stc_rc scan_jsonl_undo(struct scan_jsonl *j, long long start, struct stc_err *err)
{
    if (start < 0)
        return STC_OK; /* a pipe or terminal: what is out is out */
    while (ftruncate(j->fd, (off_t)start) != 0) {
        if (errno != EINTR)
            return err_set(err, STC_E_IO, "cut back (JSON output): %s", strerror(errno));
    }
    return STC_OK;
}

stc_rc scan_jsonl_write(struct scan_jsonl *j, const char *json, long long *start,
                        struct stc_err *err)
{
    struct stat st;
    /* Only this thread appends, so the size is where the line will start. */
    *start = fstat(j->fd, &st) == 0 && S_ISREG(st.st_mode) ? (long long)st.st_size : -1;
    size_t n = strlen(json);
    char *line = malloc(n + 1);
    if (line == NULL)
        return err_set(err, STC_E_NOMEM, "out of memory");
    /* A line for write(): LF-terminated and sized, never used as a C string. */
    memcpy(line, json, n); // NOLINT(bugprone-not-null-terminated-result)
    line[n] = '\n';
    size_t off = 0;
    stc_rc rc = STC_OK;
    while (off < n + 1) {
        ssize_t w = write(j->fd, line + off, n + 1 - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            rc = err_set(err, STC_E_IO, "write (JSON output): %s", strerror(errno));
            break;
        }
        off += (size_t)w;
    }
    free(line);
    if (rc != STC_OK && off > 0) {
        struct stc_err ignore = {0};
        scan_jsonl_undo(j, *start, &ignore);
    }
    return rc;
}

stc_rc scan_jsonl_close(struct scan_jsonl *j, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    if (!j->owned)
        return STC_OK;
    struct stat st;
    /* fsync only files: /dev/null or a pipe given as --output cannot. */
    if (fstat(j->fd, &st) == 0 && S_ISREG(st.st_mode) && fsync(j->fd) != 0)
        rc = err_set(err, STC_E_IO, "fsync (JSON output): %s", strerror(errno));
    if (close(j->fd) != 0 && rc == STC_OK)
        rc = err_set(err, STC_E_IO, "close (JSON output): %s", strerror(errno));
    j->fd = -1;
    j->owned = 0;
    return rc;
}

int scan_jsonl_domain(const char *line, size_t n, char *out, size_t outsz)
{
    size_t pl = sizeof PREFIX - 1;
    if (n < pl + 2 || memcmp(line, PREFIX, pl) != 0 || line[n - 1] != '}')
        return 0;
    const char *q = memchr(line + pl, '"', n - pl);
    if (q == NULL)
        return 0;
    size_t dn = (size_t)(q - (line + pl));
    if (dn == 0 || dn >= outsz || memchr(line + pl, '\\', dn) != NULL)
        return 0;
    memcpy(out, line + pl, dn);
    out[dn] = '\0';
    return 1;
}

stc_rc scan_jsonl_each(FILE *f, scan_jsonl_line_fn fn, void *ctx, long *complete_end,
                       struct stc_err *err)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    long end = 0;
    stc_rc rc = STC_OK;
    errno = 0;
    while ((got = getline(&line, &cap, f)) > 0) {
        if (line[got - 1] != '\n')
            break; /* torn */
        end += got;
        if ((size_t)got <= LINE_CAP) {
            rc = fn(ctx, line, (size_t)got - 1, err);
            if (rc != STC_OK)
                break;
        }
    }
    if (rc == STC_OK && ferror(f))
        rc = err_set(err, STC_E_IO, "read (JSON output): %s", strerror(errno));
    free(line);
    *complete_end = end;
    return rc;
}

struct load_ctx {
    struct scan_seen *done;
    uint64_t n;
};

static stc_rc load_line(void *vctx, const char *line, size_t n, struct stc_err *err)
{
    struct load_ctx *c = vctx;
    char d[256];
    int fresh = 0;
    if (!scan_jsonl_domain(line, n, d, sizeof d))
        return STC_OK;
    stc_rc rc = scan_seen_add(c->done, d, &fresh, err);
    c->n += (uint64_t)fresh;
    return rc;
}

stc_rc scan_jsonl_load(const char *path, struct scan_seen *done, uint64_t *n, struct stc_err *err)
{
    struct load_ctx c = {done, 0};
    long end = 0;
    *n = 0;
    FILE *f = fopen(path, "r+");
    if (f == NULL && errno == ENOENT)
        return STC_OK;
    if (f == NULL)
        return err_set(err, STC_E_IO, "%s: %s", path, strerror(errno));
    stc_rc rc = scan_jsonl_each(f, load_line, &c, &end, err);
    if (rc == STC_OK) {
        if (fseek(f, 0, SEEK_END) == 0 && ftell(f) > end && ftruncate(fileno(f), (off_t)end) != 0)
            rc = err_set(err, STC_E_IO, "%s: cannot cut the torn last line: %s", path,
                         strerror(errno));
    }
    fclose(f);
    *n = c.n;
    return rc;
}

struct filter_ctx {
    const struct scan_seen *keep;
    FILE *out;
    uint64_t dropped;
};

static stc_rc filter_line(void *vctx, const char *line, size_t n, struct stc_err *err)
{
    struct filter_ctx *c = vctx;
    char d[256];
    int kept = 0;
    if (scan_jsonl_domain(line, n, d, sizeof d)) {
        stc_rc rc = scan_seen_find(c->keep, d, &kept, err);
        if (rc != STC_OK)
            return rc;
    }
    if (!kept) {
        c->dropped++;
        return STC_OK;
    }
    if (fwrite(line, 1, n, c->out) != n || fputc('\n', c->out) == EOF)
        return err_set(err, STC_E_IO, "write (JSON output): %s", strerror(errno));
    return STC_OK;
}

/* fsync the directory holding path, so a rename in it survives a crash. */
static stc_rc fsync_dir(const char *path, struct stc_err *err)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    size_t n = slash == NULL ? 1 : (slash == path ? 1 : (size_t)(slash - path));
    if (n >= sizeof dir)
        return err_set(err, STC_E_INVAL, "output path too long");
    memcpy(dir, slash == NULL ? "." : path, n);
    dir[n] = '\0';
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return err_set(err, STC_E_IO, "%s: %s", dir, strerror(errno));
    stc_rc rc = STC_OK;
    if (fsync(fd) != 0 && errno != EINVAL) /* EINVAL: a file system that cannot */
        rc = err_set(err, STC_E_IO, "fsync %s: %s", dir, strerror(errno));
    close(fd);
    return rc;
}

stc_rc scan_jsonl_filter(const char *path, const struct scan_seen *keep, uint64_t *dropped,
                         struct stc_err *err)
{
    char tmp[4096];
    long end = 0;
    stc_rc rc = STC_OK;
    FILE *in = NULL;
    struct stat st;
    struct filter_ctx c = {keep, NULL, 0};
    STC_ENSURE(snprintf(tmp, sizeof tmp, "%s.tmp", path) < (int)sizeof tmp, err, STC_E_INVAL,
               "output path too long");
    /* Only a regular file can be rewritten: the rename would replace a
     * device (-o /dev/null) or a FIFO with a plain file. */
    STC_ENSURE(stat(path, &st) == 0, err, STC_E_IO, "%s: %s", path, strerror(errno));
    STC_ENSURE(S_ISREG(st.st_mode), err, STC_E_IO,
               "%s: not a regular file, so --resume cannot drop its unrecorded lines", path);
    in = fopen(path, "r");
    STC_ENSURE(in != NULL, err, STC_E_IO, "%s: %s", path, strerror(errno));
    /* The rewritten file keeps the original's permission bits. */
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, st.st_mode & 0777);
    STC_ENSURE(fd >= 0, err, STC_E_IO, "%s: %s", tmp, strerror(errno));
    if (fchmod(fd, st.st_mode & 0777) != 0 || (c.out = fdopen(fd, "w")) == NULL) {
        rc = err_set(err, STC_E_IO, "%s: %s", tmp, strerror(errno));
        close(fd);
        goto out;
    }
    STC_GUARD(scan_jsonl_each(in, filter_line, &c, &end, err));
    STC_ENSURE(fflush(c.out) == 0 && fsync(fileno(c.out)) == 0, err, STC_E_IO, "%s: %s", tmp,
               strerror(errno));
    STC_ENSURE(rename(tmp, path) == 0, err, STC_E_IO, "rename %s: %s", tmp, strerror(errno));
    STC_GUARD(fsync_dir(path, err));
    *dropped = c.dropped;
out:
    if (in)
        fclose(in);
    if (c.out)
        fclose(c.out);
    if (rc != STC_OK)
        unlink(tmp);
    return rc;
}
