/* test_mtasts_fetch - mtasts_fetch against a real HTTPS server on loopback.
 *
 * The group setup makes a test PKI with openssl(1) in a temporary directory
 * and starts a small Python HTTPS server (/usr/bin/python3, http.server +
 * ssl) on 127.88.0.43, port chosen by the kernel. The server picks its
 * answer by the Host header (mta-sts.CASE.test): ok, redirect, missing,
 * ctype, big (70 KiB with a length), stream (70 KiB without one), exact
 * (64 KiB), slow (never answers). A second port accepts TCP and never
 * speaks (no TLS). The certificate names every mta-sts.CASE.test except
 * mta-sts.wrongname.test. Nothing leaves 127.0.0.0/8 and ::1; the server
 * is stopped and the directory removed in the group teardown. Without
 * python3 the setup fails, and so do the tests: nothing is skipped.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mtasts/mtasts.h"
#include "util/deadline.h"

#define PYTHON "/usr/bin/python3" /* STC_TEST_PYTHON overrides (to see the setup fail) */
#define ADDR "127.88.0.43"
#define POLICY "version: STSv1\r\nmode: enforce\r\nmx: mx1.ok.test\r\nmax_age: 604800\r\n"
/* The same, as a Python bytes literal's inside. */
#define POLICY_PY                                                                                  \
    "version: STSv1\\r\\nmode: enforce\\r\\nmx: mx1.ok.test\\r\\nmax_age: 604800\\r\\n"

struct fixture {
    char dir[64];
    pid_t pid;
    int port;      /* HTTPS */
    int hang_port; /* accepts, never answers */
    char ca[128];
    char other_ca[128];
};

static const char gen_sh[] =
    "set -eu\n"
    "cd \"$1\"\n"
    "umask 077\n"
    "mk_ca() {\n"
    "  openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \\\n"
    "    -keyout $1.key -out $1.pem -days 3 -subj \"/CN=stc test $1\" \\\n"
    "    -addext basicConstraints=critical,CA:TRUE \\\n"
    "    -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null\n"
    "}\n"
    "mk_ca ca\n"
    "mk_ca other\n"
    "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \\\n"
    "  -keyout leaf.key -out leaf.csr -subj /CN=mta-sts.ok.test 2>/dev/null\n"
    "san=''\n"
    "for c in ok redirect missing ctype big stream exact slow; do\n"
    "  san=\"$san${san:+,}DNS:mta-sts.$c.test\"\n"
    "done\n"
    "printf 'subjectAltName=%s\\nbasicConstraints=CA:FALSE\\n"
    "keyUsage=digitalSignature\\nextendedKeyUsage=serverAuth\\n' \"$san\" > ext.cnf\n"
    "openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 3 \\\n"
    "  -sha256 -extfile ext.cnf -out leaf.pem 2>/dev/null\n";

static const char server_py[] =
    "import http.server, socket, ssl, sys, os, time, threading\n"
    "d = sys.argv[1]\n"
    "POLICY = b'" POLICY_PY "'\n"
    "class H(http.server.BaseHTTPRequestHandler):\n"
    "    protocol_version = 'HTTP/1.1'\n"
    "    def log_message(self, *a):\n"
    "        pass\n"
    "    def reply(self, code, body, ctype, extra=(), length=True):\n"
    "        self.send_response(code)\n"
    "        self.send_header('Content-Type', ctype)\n"
    "        for k, v in extra:\n"
    "            self.send_header(k, v)\n"
    "        if length:\n"
    "            self.send_header('Content-Length', str(len(body)))\n"
    "        else:\n"
    "            self.send_header('Connection', 'close')\n"
    "            self.close_connection = True\n"
    "        self.end_headers()\n"
    "        self.wfile.write(body)\n"
    "    def do_GET(self):\n"
    "        host = (self.headers.get('Host') or '').split(':')[0]\n"
    "        parts = host.split('.')\n"
    "        case = parts[1] if len(parts) == 3 and parts[0] == 'mta-sts' else ''\n"
    "        if self.path != '/.well-known/mta-sts.txt':\n"
    "            return self.reply(404, b'wrong path\\n', 'text/plain')\n"
    "        if case in ('ok', 'wrongname'):\n"
    "            self.reply(200, POLICY, 'text/plain; charset=utf-8')\n"
    "        elif case == 'redirect':\n"
    "            self.reply(301, b'moved\\n', 'text/plain',\n"
    "                       [('Location', 'https://elsewhere.test/x')])\n"
    "        elif case == 'ctype':\n"
    "            self.reply(200, POLICY, 'text/html')\n"
    "        elif case == 'big':\n"
    "            self.reply(200, b'x' * (70 * 1024), 'text/plain')\n"
    "        elif case == 'stream':\n"
    "            self.reply(200, b'x' * (70 * 1024), 'text/plain', length=False)\n"
    "        elif case == 'exact':\n"
    "            self.reply(200, b'x' * (64 * 1024), 'text/plain', length=False)\n"
    "        elif case == 'slow':\n"
    "            time.sleep(60)\n"
    "        else:\n"
    "            self.reply(404, b'not here\\n', 'text/plain')\n"
    "ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)\n"
    "ctx.load_cert_chain(os.path.join(d, 'leaf.pem'), os.path.join(d, 'leaf.key'))\n"
    "http.server.ThreadingHTTPServer.daemon_threads = True\n"
    "srv = http.server.ThreadingHTTPServer(('" ADDR "', 0), H)\n"
    "srv.handle_error = lambda request, address: None\n"
    "srv.socket = ctx.wrap_socket(srv.socket, server_side=True,\n"
    "                             do_handshake_on_connect=False)\n"
    "hang = socket.socket()\n"
    "hang.bind(('" ADDR "', 0))\n"
    "hang.listen(8)\n"
    "held = []\n"
    "def holder():\n"
    "    while True:\n"
    "        held.append(hang.accept())\n"
    "threading.Thread(target=holder, daemon=True).start()\n"
    "with open(os.path.join(d, 'ports.tmp'), 'w') as f:\n"
    "    f.write('%d %d\\n' % (srv.server_address[1], hang.getsockname()[1]))\n"
    "os.rename(os.path.join(d, 'ports.tmp'), os.path.join(d, 'ports'))\n"
    "srv.serve_forever()\n";

static int write_file(const char *dir, const char *name, const char *text)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -1;
    int ok = fputs(text, f) >= 0;
    return (fclose(f) == 0 && ok) ? 0 : -1;
}

static int setup(void **state)
{
    static struct fixture fx;
    char cmd[256], path[128];
    memset(&fx, 0, sizeof fx);
    fx.pid = -1;
    *state = &fx;
    const char *python = getenv("STC_TEST_PYTHON") ? getenv("STC_TEST_PYTHON") : PYTHON;
    if (access(python, X_OK) != 0) {
        /* a missing prerequisite is a failure, not a skip */
        fprintf(stderr, "test_mtasts_fetch: %s is missing (scripts/install-deps.sh)\n", python);
        return -1;
    }
    snprintf(fx.dir, sizeof fx.dir, "/tmp/stc-mtasts-XXXXXX");
    if (mkdtemp(fx.dir) == NULL)
        return -1;
    if (write_file(fx.dir, "gen.sh", gen_sh) != 0 || write_file(fx.dir, "server.py", server_py))
        return -1;
    snprintf(cmd, sizeof cmd, "sh %s/gen.sh %s", fx.dir, fx.dir);
    if (system(cmd) != 0)
        return -1;
    snprintf(fx.ca, sizeof fx.ca, "%s/ca.pem", fx.dir);
    snprintf(fx.other_ca, sizeof fx.other_ca, "%s/other.pem", fx.dir);
    snprintf(path, sizeof path, "%s/server.py", fx.dir);
    fx.pid = fork();
    if (fx.pid < 0)
        return -1;
    if (fx.pid == 0) {
        execl(python, python, path, fx.dir, (char *)NULL);
        _exit(127);
    }
    snprintf(path, sizeof path, "%s/ports", fx.dir);
    struct deadline d = deadline_in(20000);
    while (!deadline_expired(d)) {
        FILE *f = fopen(path, "r");
        if (f != NULL) {
            int n = fscanf(f, "%d %d", &fx.port, &fx.hang_port);
            fclose(f);
            if (n == 2)
                return 0;
        }
        if (waitpid(fx.pid, NULL, WNOHANG) == fx.pid) {
            fx.pid = -1;
            return -1;
        }
        usleep(20000);
    }
    return -1;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    char cmd[128];
    if (fx->pid > 0) {
        kill(fx->pid, SIGTERM);
        waitpid(fx->pid, NULL, 0);
    }
    if (fx->dir[0] != '\0') {
        snprintf(cmd, sizeof cmd, "rm -rf %s", fx->dir);
        if (system(cmd) != 0)
            return -1;
    }
    return 0;
}

static struct fixture *need_server(void **state)
{
    struct fixture *fx = *state;
    if (fx->pid <= 0)
        fail_msg("the HTTPS test server is not running");
    return fx;
}

static stc_rc fetch(struct fixture *fx, const char *domain, int port, const char *ca, int ms,
                    struct mtasts_fetch_res *res, struct stc_err *err)
{
    static const char *const addrs[] = {ADDR};
    struct mtasts_fetch_req req = {domain, addrs, 1, port, ca, NULL, deadline_in(ms), 0};
    (void)fx;
    stc_err_clear(err);
    return mtasts_fetch(&req, res, err);
}

static void test_ok(void **state)
{
    struct fixture *fx = need_server(state);
    struct mtasts_fetch_res res;
    struct stc_err err;
    char url[128];
    assert_int_equal(fetch(fx, "ok.test", fx->port, fx->ca, 10000, &res, &err), STC_OK);
    assert_int_equal(res.http_status, 200);
    assert_int_equal(res.body.len, strlen(POLICY));
    assert_memory_equal(res.body.data, POLICY, strlen(POLICY));
    assert_string_equal(res.content_type, "text/plain; charset=utf-8");
    assert_true(mtasts_content_type_ok(res.content_type));
    snprintf(url, sizeof url, "https://mta-sts.ok.test:%d/.well-known/mta-sts.txt", fx->port);
    assert_string_equal(res.url, url);
    /* and it parses */
    struct mtasts_policy p;
    assert_int_equal(mtasts_policy_parse(res.body.data, res.body.len, &p, &err), STC_OK);
    assert_int_equal(p.mode, MTASTS_MODE_ENFORCE);
    mtasts_policy_free(&p);
    mtasts_fetch_res_free(&res);
}

static void test_two_addresses(void **state)
{
    /* ::1 (nothing listens there) first, then the server: both go to CURLOPT_RESOLVE. */
    struct fixture *fx = need_server(state);
    static const char *const addrs[] = {"::1", ADDR};
    struct mtasts_fetch_req req = {"ok.test", addrs, 2, fx->port, fx->ca, NULL, deadline_in(10000), 0};
    struct mtasts_fetch_res res;
    struct stc_err err;
    stc_err_clear(&err);
    assert_int_equal(mtasts_fetch(&req, &res, &err), STC_OK);
    assert_int_equal(res.http_status, 200);
    mtasts_fetch_res_free(&res);
}

/* public_only: a loopback address is refused before curl starts (no packet). */
static void test_public_only(void **state)
{
    struct fixture *fx = need_server(state);
    static const char *const addrs[] = {ADDR};
    struct mtasts_fetch_req req = {"ok.test", addrs, 1, fx->port, fx->ca, NULL, deadline_in(10000), 1};
    struct mtasts_fetch_res res;
    struct stc_err err;
    stc_err_clear(&err);
    assert_int_equal(mtasts_fetch(&req, &res, &err), STC_E_BLOCKED);
    assert_non_null(strstr(err.msg, "not tested: address " ADDR " is loopback"));
    assert_int_equal(res.http_status, 0);
    mtasts_fetch_res_free(&res);
}

static void test_redirect(void **state)
{
    struct fixture *fx = need_server(state);
    struct mtasts_fetch_res res;
    struct stc_err err;
    assert_int_equal(fetch(fx, "redirect.test", fx->port, fx->ca, 10000, &res, &err), STC_E_PEER);
    assert_int_equal(res.http_status, 301);
    assert_string_equal(res.location, "https://elsewhere.test/x");
    assert_non_null(
        strstr(err.msg, "policy host redirects (HTTP 301 to https://elsewhere.test/x)"));
    assert_non_null(strstr(err.msg, "RFC 8461 forbids following redirects"));
    mtasts_fetch_res_free(&res);
}

static void test_404(void **state)
{
    struct fixture *fx = need_server(state);
    struct mtasts_fetch_res res;
    struct stc_err err;
    assert_int_equal(fetch(fx, "missing.test", fx->port, fx->ca, 10000, &res, &err), STC_E_PEER);
    assert_int_equal(res.http_status, 404);
    assert_non_null(strstr(err.msg, "HTTP 404"));
    mtasts_fetch_res_free(&res);
}

static void test_content_type(void **state)
{
    struct fixture *fx = need_server(state);
    struct mtasts_fetch_res res;
    struct stc_err err;
    assert_int_equal(fetch(fx, "ctype.test", fx->port, fx->ca, 10000, &res, &err), STC_OK);
    assert_string_equal(res.content_type, "text/html");
    assert_false(mtasts_content_type_ok(res.content_type));
    mtasts_fetch_res_free(&res);
    assert_true(mtasts_content_type_ok("text/plain"));
    assert_true(mtasts_content_type_ok("Text/Plain ; charset=us-ascii"));
    assert_false(mtasts_content_type_ok("text/plainx"));
    assert_false(mtasts_content_type_ok("text/html; x=text/plain"));
    assert_false(mtasts_content_type_ok(""));
    assert_false(mtasts_content_type_ok(NULL));
}

static void test_too_large(void **state)
{
    struct fixture *fx = need_server(state);
    struct mtasts_fetch_res res;
    struct stc_err err;
    /* declared length over the cap */
    assert_int_equal(fetch(fx, "big.test", fx->port, fx->ca, 10000, &res, &err), STC_E_LIMIT);
    assert_non_null(strstr(err.msg, "policy larger than 64 KiB"));
    assert_true(res.body.len <= STC_MTASTS_POLICY_MAX);
    mtasts_fetch_res_free(&res);
    /* no length: the write callback stops it */
    assert_int_equal(fetch(fx, "stream.test", fx->port, fx->ca, 10000, &res, &err), STC_E_LIMIT);
    assert_non_null(strstr(err.msg, "policy larger than 64 KiB"));
    assert_true(res.body.len <= STC_MTASTS_POLICY_MAX);
    mtasts_fetch_res_free(&res);
    /* exactly 64 KiB is fine */
    assert_int_equal(fetch(fx, "exact.test", fx->port, fx->ca, 10000, &res, &err), STC_OK);
    assert_int_equal(res.body.len, STC_MTASTS_POLICY_MAX);
    mtasts_fetch_res_free(&res);
}

static void test_certificates(void **state)
{
    struct fixture *fx = need_server(state);
    struct mtasts_fetch_res res;
    struct stc_err err;
    /* the certificate does not name mta-sts.wrongname.test */
    assert_int_equal(fetch(fx, "wrongname.test", fx->port, fx->ca, 10000, &res, &err), STC_E_TLS);
    assert_non_null(strstr(err.msg, "certificate of mta-sts.wrongname.test not valid"));
    assert_int_equal(res.http_status, 0);
    mtasts_fetch_res_free(&res);
    /* issued by a CA we do not trust */
    assert_int_equal(fetch(fx, "ok.test", fx->port, fx->other_ca, 10000, &res, &err), STC_E_TLS);
    mtasts_fetch_res_free(&res);
    /* an unreadable trust store is our problem, not the server's */
    assert_int_equal(fetch(fx, "ok.test", fx->port, "/nonexistent/ca.pem", 10000, &res, &err),
                     STC_E_IO);
    mtasts_fetch_res_free(&res);
}

static void test_deadlines(void **state)
{
    struct fixture *fx = need_server(state);
    struct mtasts_fetch_res res;
    struct stc_err err;
    /* TLS fine, HTTP never answers */
    int64_t t0 = deadline_now_ms();
    assert_int_equal(fetch(fx, "slow.test", fx->port, fx->ca, 1500, &res, &err), STC_E_TIMEOUT);
    assert_true(deadline_now_ms() - t0 < 1500 + 3000);
    assert_non_null(strstr(err.msg, "timed out"));
    mtasts_fetch_res_free(&res);
    /* TCP accepted, no TLS ever */
    t0 = deadline_now_ms();
    assert_int_equal(fetch(fx, "ok.test", fx->hang_port, fx->ca, 1500, &res, &err), STC_E_TIMEOUT);
    assert_true(deadline_now_ms() - t0 < 1500 + 3000);
    mtasts_fetch_res_free(&res);
    /* no time left at all */
    assert_int_equal(fetch(fx, "ok.test", fx->port, fx->ca, 0, &res, &err), STC_E_TIMEOUT);
    mtasts_fetch_res_free(&res);
}

static void test_refused_and_bad_requests(void **state)
{
    struct fixture *fx = need_server(state);
    struct mtasts_fetch_res res;
    struct stc_err err;
    assert_int_equal(fetch(fx, "ok.test", 1, fx->ca, 5000, &res, &err), STC_E_PEER);
    assert_non_null(strstr(err.msg, "cannot connect to mta-sts.ok.test"));
    mtasts_fetch_res_free(&res);

    static const char *const bad_addr[] = {"mta-sts.ok.test"};
    struct mtasts_fetch_req req = {"ok.test", bad_addr,         1, fx->port, fx->ca,
                                   NULL,      deadline_in(5000), 0};
    stc_err_clear(&err);
    assert_int_equal(mtasts_fetch(&req, &res, &err), STC_E_INVAL);
    mtasts_fetch_res_free(&res);
    req.naddrs = 0;
    stc_err_clear(&err);
    assert_int_equal(mtasts_fetch(&req, &res, &err), STC_E_INVAL);
    mtasts_fetch_res_free(&res);
    static const char *const good_addr[] = {ADDR};
    req.addrs = good_addr;
    req.naddrs = 1;
    req.domain = "ok.test/../x";
    stc_err_clear(&err);
    assert_int_equal(mtasts_fetch(&req, &res, &err), STC_E_INVAL);
    mtasts_fetch_res_free(&res);
    req.domain = "ok.test";
    req.port = 0;
    stc_err_clear(&err);
    assert_int_equal(mtasts_fetch(&req, &res, &err), STC_E_INVAL);
    mtasts_fetch_res_free(&res);
}

struct worker {
    struct fixture *fx;
    int ok;
};

static void *fetch_thread(void *arg)
{
    struct worker *w = arg;
    for (int i = 0; i < 3; i++) {
        struct mtasts_fetch_res res;
        struct stc_err err;
        stc_rc rc = fetch(w->fx, i % 2 ? "ok.test" : "wrongname.test", w->fx->port, w->fx->ca,
                          10000, &res, &err);
        w->ok += (i % 2) ? rc == STC_OK && res.body.len == strlen(POLICY) : rc == STC_E_TLS;
        mtasts_fetch_res_free(&res);
    }
    return NULL;
}

/* One curl handle per call: concurrent fetches do not interfere. */
static void test_parallel(void **state)
{
    struct fixture *fx = need_server(state);
    pthread_t t[4];
    struct worker w[4];
    for (int i = 0; i < 4; i++) {
        w[i].fx = fx;
        w[i].ok = 0;
        assert_int_equal(pthread_create(&t[i], NULL, fetch_thread, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        assert_int_equal(w[i].ok, 3);
    }
}

static void test_global_init(void **state)
{
    (void)state;
    struct stc_err err;
    stc_err_clear(&err);
    assert_int_equal(mtasts_global_init(&err), STC_OK);
    assert_int_equal(mtasts_global_init(&err), STC_OK); /* idempotent */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_global_init),   cmocka_unit_test(test_ok),
        cmocka_unit_test(test_two_addresses), cmocka_unit_test(test_redirect),
        cmocka_unit_test(test_404),           cmocka_unit_test(test_content_type),
        cmocka_unit_test(test_too_large),     cmocka_unit_test(test_certificates),
        cmocka_unit_test(test_deadlines),     cmocka_unit_test(test_refused_and_bad_requests),
        cmocka_unit_test(test_parallel),      cmocka_unit_test(test_public_only),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
