/*
 * NAME
 *     scan_read - stream the domain results of a finished scan
 * SYNOPSIS
 *     #include "scan_read.h"
 *     scan_read_each("scan.db", fn, ctx, err);
 *     scan_read_each("results.jsonl", fn, ctx, err);
 * DESCRIPTION
 *     Views (src/report) read scan outputs through here, so the formats
 *     stay with the code that writes them. A file whose first 16 bytes
 *     are "SQLite format 3" is opened read-only as a scan database and
 *     its domains.json column is read in rowid order (the order the
 *     writer committed); anything else is read as JSON Lines with
 *     scan_jsonl_each (complete lines only). fn sees one domain at a
 *     time; the memory used does not grow with the number of domains.
 * LIMITS
 *     JSON lines over 16 MiB are skipped (scan_jsonl_each).
 * DIAGNOSTICS
 *     STC_E_IO with the file name and the reason (errno text, SQLite's
 *     message, "not a scan database" when the domains table is missing);
 *     any code fn returns.
 */
#include "scan_read.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "../util/err.h"
#include "scan_jsonl.h"

static const char SQLITE_MAGIC[16] = "SQLite format 3";

static stc_rc read_db(const char *path, scan_read_fn fn, void *ctx, struct stc_err *err)
{
    stc_rc rc = STC_OK;
    sqlite3 *h = NULL;
    sqlite3_stmt *q = NULL;
    int r;
    if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        rc = err_set(err, STC_E_IO, "%s: %s", path, h ? sqlite3_errmsg(h) : "cannot open");
        goto out;
    }
    sqlite3_busy_timeout(h, 5000);
    if (sqlite3_prepare_v2(h, "SELECT json FROM domains ORDER BY rowid", -1, &q, NULL) !=
        SQLITE_OK) {
        rc = err_set(err, STC_E_IO, "%s: not a scan database (%s)", path, sqlite3_errmsg(h));
        goto out;
    }
    while ((r = sqlite3_step(q)) == SQLITE_ROW) {
        const char *j = (const char *)sqlite3_column_text(q, 0);
        int n = sqlite3_column_bytes(q, 0);
        if (j == NULL || n <= 0)
            continue;
        STC_GUARD(fn(ctx, j, (size_t)n, err));
    }
    if (r != SQLITE_DONE)
        rc = err_set(err, STC_E_IO, "%s: %s", path, sqlite3_errmsg(h));
out:
    sqlite3_finalize(q);
    sqlite3_close(h);
    return rc;
}

struct line_ctx {
    scan_read_fn fn;
    void *ctx;
};

static stc_rc one_line(void *vctx, const char *line, size_t n, struct stc_err *err)
{
    struct line_ctx *c = vctx;
    while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == ' '))
        n--;
    if (n == 0)
        return STC_OK;
    return c->fn(c->ctx, line, n, err);
}

stc_rc scan_read_each(const char *path, scan_read_fn fn, void *ctx, struct stc_err *err)
{
    char head[16] = {0};
    long end = 0;
    int is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (f == NULL)
        return err_set(err, STC_E_IO, "%s: %s", path, strerror(errno));
    if (!is_stdin) {
        size_t got = fread(head, 1, sizeof head, f);
        if (got == sizeof head && memcmp(head, SQLITE_MAGIC, sizeof head) == 0) {
            fclose(f);
            return read_db(path, fn, ctx, err);
        }
        rewind(f);
    }
    struct line_ctx c = {fn, ctx};
    stc_rc rc = scan_jsonl_each(f, one_line, &c, &end, err);
    if (!is_stdin)
        fclose(f);
    return rc;
}
