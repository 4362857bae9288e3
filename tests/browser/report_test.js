#!/usr/bin/env node
// NAME
//     report_test.js - the HTML reports in a real browser (headless Debian chromium)
// SYNOPSIS
//     node tests/browser/report_test.js --bin build/starttls-check CASE [--shots DIR]
//     CASE: world | compare | hostile | domain
// DESCRIPTION
//     Each case makes reports with BIN and loads them in chromium (puppeteer-core,
//     executablePath /usr/bin/chromium, --no-sandbox). Every page must load with no
//     console error or page error (a Content-Security-Policy violation is one) and no
//     request except the file itself (request interception: anything else is
//     aborted and fails the case).
//       world    scans the test world's domains (--db and -o), reports both files,
//                compares every chart's bars and the headline with counts computed
//                here (expect.js) from the database (read with python3's sqlite3)
//                and from the JSON Lines; drives search, the status and finding
//                filters, paging and the detail view.
//       compare  an earlier scan made from the world's JSON Lines with some domains
//                made better and a certificate not yet expired: --compare shows the
//                domains that got worse, the newly expired certificates and the
//                adoption change computed here.
//       hostile  a synthetic JSON Lines file whose names, messages, record text and
//                result types are markup and script: nothing runs (no CSP report, no
//                dialog), the strings show as text in the table, the detail and the
//                chart labels.
//       domain   --html of world domains (good, failing, hostile servers) beside
//                --json of the same: verdict, MX table rows, recommendations.
//     The world must be up (testbed/world up; WORLD_PREFIX honoured through
//     testbed/world env). --shots DIR saves screenshots (docs/img/ in the repo).
// DIAGNOSTICS
//     Prints "PASS case" or "FAIL case: reason"; exit 0 when all passed, 1 otherwise,
//     2 on a usage error or a missing prerequisite (no chromium, no world).
"use strict";

const fs = require("fs");
const os = require("os");
const path = require("path");
const { execFileSync, spawnSync } = require("child_process");
const puppeteer = require("puppeteer-core");
const { aggregate, classify, rank, STATUS } = require("./expect.js");

const REPO = path.resolve(__dirname, "..", "..");
const CHROMIUM = "/usr/bin/chromium";

class Fail extends Error {}
function check(cond, msg) { if (!cond) throw new Fail(msg); }

function args() {
  const a = { bin: path.join(REPO, "build", "starttls-check"), cases: [], shots: null };
  const v = process.argv.slice(2);
  for (let i = 0; i < v.length; i++) {
    if (v[i] === "--bin") a.bin = v[++i];
    else if (v[i] === "--shots") a.shots = v[++i];
    else a.cases.push(v[i]);
  }
  return a;
}

function run(bin, argv, opts = {}) {
  const r = spawnSync(bin, argv, { encoding: "utf8", maxBuffer: 1 << 28, ...opts });
  const err = r.stderr || "";
  for (const m of ["ERROR: AddressSanitizer", "runtime error:", "ERROR: LeakSanitizer"])
    check(!err.includes(m), `sanitizer report from ${argv.join(" ")}:\n${err.slice(-3000)}`);
  return r;
}

function worldEnv() {
  const w = path.join(REPO, "testbed", "world");
  const st = spawnSync(w, ["status"]);
  if (st.status !== 0) {
    console.error("report_test: the world is not up (testbed/world up)");
    process.exit(2);
  }
  const env = {};
  for (const kv of execFileSync(w, ["env"], { encoding: "utf8" }).trim().split(/\s+/)) {
    const i = kv.indexOf("=");
    env[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return env;
}

function worldDomains() {
  const py = "import sys; sys.path.insert(0, sys.argv[1]); from worldconf import load_world; " +
    "print('\\n'.join(d.name for d in load_world(sys.argv[2]).domains))";
  return execFileSync("/usr/bin/python3", ["-c", py, path.join(REPO, "testbed", "lib"),
    path.join(REPO, "testbed", "world.conf")], { encoding: "utf8" }).trim().split("\n");
}

function checkerArgs(env) {
  return ["--resolver", env.WORLD_RESOLVER, "--trust-anchor", env.WORLD_TRUST_ANCHOR,
    "--ca-file", env.WORLD_CA, "--timeout", "10"];
}

// The world scanned once: { db, jsonl, tmp }.
let scanned = null;
function worldScan(a) {
  if (scanned) return scanned;
  const env = worldEnv();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "stc-browser-"));
  const csv = path.join(tmp, "domains.csv");
  fs.writeFileSync(csv, worldDomains().map((d, i) => `${i + 1},${d}\n`).join(""));
  const db = path.join(tmp, "scan.db"), jsonl = path.join(tmp, "scan.jsonl");
  const r = run(a.bin, ["scan", csv, ...checkerArgs(env), "--progress", "0", "--db", db,
    "-o", jsonl]);
  check(r.status === 0, `scan exit ${r.status}: ${r.stderr.slice(-2000)}`);
  scanned = { db, jsonl, tmp, env };
  return scanned;
}

function readJsonl(p) {
  return fs.readFileSync(p, "utf8").split("\n").filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l));
}

function readDb(p) {
  const py = "import sqlite3, sys\ncon = sqlite3.connect(sys.argv[1])\n" +
    "for (j,) in con.execute('SELECT json FROM domains'): print(j)\n";
  return execFileSync("/usr/bin/python3", ["-c", py, p], { encoding: "utf8", maxBuffer: 1 << 28 })
    .split("\n").filter((l) => l !== "").map((l) => JSON.parse(l));
}

function report(a, input, out, extra = []) {
  const r = run(a.bin, ["report", input, "-o", out, ...extra]);
  check(r.status === 0, `report exit ${r.status}: ${r.stderr}`);
  return out;
}

// Open file in a fresh page: fails on console errors, page errors, dialogs, and any
// request but the file itself.
async function openPage(browser, file, problems) {
  const page = await browser.newPage();
  const url = "file://" + path.resolve(file);
  await page.setRequestInterception(true);
  page.on("request", (req) => {
    const u = req.url().replace(/#.*$/, "");
    if (u === url) return req.continue();
    problems.push(`request: ${req.url().slice(0, 200)}`);
    return req.abort();
  });
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning")
      problems.push(`console ${m.type()}: ${m.text().slice(0, 300)}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("dialog", async (d) => { problems.push(`dialog: ${d.message()}`); await d.dismiss(); });
  await page.setViewport({ width: 1400, height: 1000 });
  await page.goto(url, { waitUntil: "load" });
  return page;
}

function clean(problems, what) {
  check(problems.length === 0, `${what}: ${problems.join("; ")}`);
}

async function bars(page, id) {
  return page.$$eval(`#${id} g.bar`, (gs) => gs.map((g) => ({
    label: g.getAttribute("data-label"), value: Number(g.getAttribute("data-value")),
    text: g.querySelector("text.val").textContent,
    shown: g.querySelector("text.lbl").textContent,
  })));
}

// Every bar matches the expected count (absent = 0); every non-zero count has a bar.
async function checkChart(page, id, want, total) {
  const got = await bars(page, id);
  check(got.length > 0, `${id}: no bars`);
  const seen = new Set();
  for (const b of got) {
    const w = want.get(b.label) || 0;
    check(b.value === w, `${id}: "${b.label}" shows ${b.value}, the data say ${w}`);
    const pct = total ? ` (${(100 * w / total).toFixed(1)}%)` : "";
    check(b.text === `${w}${pct}`, `${id}: "${b.label}" prints "${b.text}", want "${w}${pct}"`);
    seen.add(b.label);
  }
  for (const [k, v] of want) check(v === 0 || seen.has(k), `${id}: no bar for "${k}" (${v})`);
  const axis = await page.$eval(`#${id} .axl`, (t) => t.textContent);
  check(axis.length > 0, `${id}: no axis label`);
  const title = await page.$eval(`#${id} svg title`, (t) => t.textContent);
  check(title.length > 0, `${id}: no title`);
}

// A top-N chart: each bar's value is right, and nothing left out is larger.
async function checkTop(page, id, counts) {
  const got = await bars(page, id);
  const all = [...counts.values()].filter((v) => v > 0);
  check(got.length === Math.min(10, all.length), `${id}: ${got.length} bars, want ` +
    `${Math.min(10, all.length)}`);
  for (const b of got)
    check(b.value === (counts.get(b.label) || 0),
      `${id}: "${b.label}" shows ${b.value}, the data say ${counts.get(b.label) || 0}`);
  const shown = new Set(got.map((b) => b.label));
  const least = Math.min(...got.map((b) => b.value));
  for (const [k, v] of counts)
    check(shown.has(k) || v <= least, `${id}: "${k}" (${v}) left out for a bar of ${least}`);
  for (let i = 1; i < got.length; i++)
    check(got[i - 1].value >= got[i].value, `${id}: not sorted`);
}

async function checkCharts(page, exp) {
  const hostsTls = [...exp.charts["c-cert"].values()].reduce((x, y) => x + y, 0);
  const totals = { "c-cert": hostsTls, "c-version": hostsTls, "c-cipher": hostsTls };
  for (const [id, want] of Object.entries(exp.charts))
    await checkChart(page, id, want, totals[id] !== undefined ? totals[id] : exp.domains);
  await checkTop(page, "c-failures", exp.fail);
  await checkTop(page, "c-mx", exp.suffix);
  const head = await page.$$eval("#headline [data-k]", (ds) => ds.map((d) => [
    d.getAttribute("data-k"), Number(d.getAttribute("data-n")),
    d.hasAttribute("data-of") ? Number(d.getAttribute("data-of")) : null]));
  for (const [k, want] of Object.entries(exp.headline)) {
    const h = head.find((x) => x[0] === k);
    check(h, `headline ${k} missing`);
    check(h[1] === want[0] && (want.length < 2 || h[2] === want[1]),
      `headline ${k}: ${h[1]} of ${h[2]}, the data say ${want.join(" of ")}`);
  }
}

async function tableCount(page) {
  const t = await page.$eval("#dt-count", (e) => e.textContent);
  const m = /^(\d+) of (\d+) domains$/.exec(t);
  check(m, `count text "${t}"`);
  return [Number(m[1]), Number(m[2])];
}

async function rowNames(page) {
  return page.$$eval("#dt-body tr td:first-child a", (as) => as.map((a) => a.textContent));
}

async function select(page, id, text) {
  const v = await page.$eval(`#${id}`, (s, t) => {
    const o = [...s.options].find((x) => x.textContent === t);
    return o ? o.value : null;
  }, text);
  check(v !== null, `#${id} has no option "${text}"`);
  await page.select(`#${id}`, v);
}

async function checkTable(page, exp) {
  const names = exp.rows.map((r) => r.name);
  const [n0, total] = await tableCount(page);
  check(n0 === names.length && total === names.length, `table: ${n0} of ${total}, want all ` +
    `${names.length}`);
  const page1 = await rowNames(page);
  check(page1.length === Math.min(50, names.length), `first page has ${page1.length} rows`);
  if (names.length > 50) {
    await page.click("#dt-pager button:last-of-type");
    const page2 = await rowNames(page);
    check(page2.length === Math.min(50, names.length - 50), `second page has ${page2.length}`);
    check(!page2.some((x) => page1.includes(x)), "pages overlap");
    await page.click("#dt-pager button:first-of-type");
  }
  // search
  const term = "sts";
  await page.type("#q", term);
  let [n] = await tableCount(page);
  const wantSearch = names.filter((x) => x.includes(term)).length;
  check(n === wantSearch, `search "${term}": ${n}, want ${wantSearch}`);
  check((await rowNames(page)).every((x) => x.includes(term)), "search shows a non-match");
  await page.$eval("#q", (e) => { e.value = ""; e.dispatchEvent(new Event("input")); });
  // status filter
  for (const st of [0, 2]) {
    await select(page, "fstatus", STATUS[st]);
    [n] = await tableCount(page);
    const want = exp.rows.filter((r) => r.status === st).length;
    check(n === want, `status ${STATUS[st]}: ${n}, want ${want}`);
  }
  await page.select("#fstatus", "");
  // finding filter: the most common failure
  const [key] = [...exp.fail.entries()].sort((x, y) => y[1] - x[1])[0];
  await select(page, "ffinding", key);
  [n] = await tableCount(page);
  const want = exp.rows.filter((r) => r.findings.has(key)).length;
  check(n === want, `finding "${key}": ${n}, want ${want}`);
  await page.select("#ffinding", "");
  // detail of a domain with hosts
  const target = exp.rows.find((r) => r.hosts.length > 1) || exp.rows[0];
  await page.evaluate((name) => { location.hash = "#d/" + encodeURIComponent(name); },
    target.name);
  await page.waitForFunction(() => !document.getElementById("detail").hidden);
  const det = await page.$eval("#detail", (d) => ({
    h2: d.querySelector("h2").textContent,
    rows: d.querySelectorAll("table.hosts tr").length - 1,
  }));
  check(det.h2.startsWith(target.name + ": "), `detail heading "${det.h2}"`);
  check(det.rows === target.hosts.length, `detail of ${target.name}: ${det.rows} hosts, want ` +
    `${target.hosts.length}`);
  await page.evaluate(() => { location.hash = "#domains"; });
  await page.waitForFunction(() => document.getElementById("detail").hidden);
}

async function caseWorld(a, browser) {
  const s = worldScan(a);
  const fromDb = aggregate(readDb(s.db));
  const fromJsonl = aggregate(readJsonl(s.jsonl));
  check(fromDb.domains === worldDomains().length, `database has ${fromDb.domains} domains`);
  for (const [input, exp] of [[s.db, fromDb], [s.jsonl, fromJsonl]]) {
    const out = report(a, input, path.join(s.tmp, path.basename(input) + ".html"));
    const problems = [];
    const page = await openPage(browser, out, problems);
    await checkCharts(page, exp);
    await checkTable(page, exp);
    if (a.shots && input === s.db) {
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: path.join(a.shots, "scan-report.png"), fullPage: false });
      await page.select("#fstatus", "2");
      await (await page.$("#domains")).screenshot({ path: path.join(a.shots,
        "scan-report-table.png") });
      await page.evaluate(() => { location.hash = "#d/multi.test"; });
      await page.waitForFunction(() => !document.getElementById("detail").hidden);
      await (await page.$("#detail")).screenshot({ path: path.join(a.shots,
        "scan-report-detail.png") });
      await page.select("#fstatus", "");
    }
    clean(problems, input);
    await page.close();
  }
  // Without JavaScript the headline and the charts are there, the table says why not.
  const ctx = await browser.createBrowserContext();
  const p = await ctx.newPage();
  await p.setJavaScriptEnabled(false);
  await p.goto("file://" + path.join(s.tmp, "scan.db.html"));
  const bars0 = await p.$$eval("g.bar", (g) => g.length);
  check(bars0 > 20, `without JavaScript only ${bars0} bars`);
  check(await p.$eval("#dt-js", (e) => e.hidden), "the script-only table shows without script");
  await ctx.close();
}

async function caseCompare(a, browser) {
  const s = worldScan(a);
  const now = readJsonl(s.jsonl);
  // The earlier scan: every third domain that is not a success was one then, and the
  // expired certificates were valid.
  let k = 0;
  const old = now.map((d0) => {
    const d = JSON.parse(JSON.stringify(d0));
    if (d.status !== 0 && k++ % 3 === 0) { d.status = 0; d.status_text = "success"; }
    for (const h of Object.values(d.results || {})) {
      const c = (h.checks || {}).certificate;
      if (c && c.details && c.details.days_to_expiry < 0) {
        c.details.days_to_expiry = 30; c.details.valid = true; c.status = 0;
        delete c.result_type;
      }
    }
    return d;
  }).slice(0, now.length - 2); // two domains are new
  const oldPath = path.join(s.tmp, "old.jsonl");
  fs.writeFileSync(oldPath, old.map((d) => JSON.stringify(d)).join("\n") + "\n");
  const byName = new Map(old.map((d) => [d.domain, classify(d)]));
  let worse = 0, better = 0, expired = 0;
  for (const d of now) {
    const o = byName.get(d.domain);
    if (!o) continue;
    const x = classify(d);
    if (rank(x.status) > rank(o.status)) worse++;
    if (rank(x.status) < rank(o.status)) better++;
    if (x.expired && !o.expired) expired++;
  }
  check(worse > 0 && expired > 0, "the synthetic earlier scan changes nothing");
  const out = report(a, s.db, path.join(s.tmp, "compare.html"), ["--compare", oldPath]);
  const problems = [];
  const page = await openPage(browser, out, problems);
  const got = await page.$$eval("#change h3[data-n]", (hs) => Object.fromEntries(
    hs.map((h) => [h.id, Number(h.getAttribute("data-n"))])));
  check(got.worse === worse, `worse: ${got.worse}, want ${worse}`);
  check(got.better === better, `better: ${got.better}, want ${better}`);
  check(got.expired === expired, `newly expired: ${got.expired}, want ${expired}`);
  const listed = await page.$$eval("#change table.change", (t) => t.length);
  check(listed >= 2, "the changed domains are not listed");
  const ea = aggregate(old), eb = aggregate(now);
  const rows = await page.$$eval("#change table.adoption tr[data-k]", (trs) => trs.map((tr) => [
    tr.getAttribute("data-k"), tr.children[3].textContent]));
  for (const [key, text] of rows) {
    const [na, da] = ea.headline[key], [nb, db] = eb.headline[key];
    const pa = da ? 100 * na / da : 0, pb = db ? 100 * nb / db : 0;
    const m = /([+-]\d+\.\d) points/.exec(text);
    check(m && Math.abs(Number(m[1]) - (pb - pa)) < 0.051, `change of ${key}: "${text}", want ` +
      `${(pb - pa).toFixed(1)}`);
  }
  await checkCharts(page, aggregate(readDb(s.db)));
  if (a.shots)
    await (await page.$("#change")).screenshot({ path: path.join(a.shots,
      "scan-report-compare.png") });
  clean(problems, "compare");
  await page.close();
}

const EVIL = [
  "</script><script>window.__pwned=1</script>",
  "<img src=x onerror=\"window.__pwned=2\">",
  "\"><svg onload=window.__pwned=3>",
  "' onmouseover='window.__pwned=4",
  "&lt;not-an-entity&gt; & \u202e\u001b[31m",
  "javascript:window.__pwned=5",
];

function hostileDomain(i) {
  const e = EVIL[i % EVIL.length];
  const host = `mx.${e}.evil-${i}.example`;
  return {
    domain: `evil-${i}.example${e}`, status: 2, status_text: "failure", message: e,
    mx_hostnames: [host], preferred_hostnames: [host], implicit_mx: false, null_mx: false,
    results: {
      [host]: {
        name: host, hostname: host, domain: "x", preference: 10, address: e, status: 2,
        status_text: "failure", description: e, messages: [e], details: { connected: true },
        checks: {
          starttls: { name: "starttls", status: 0, messages: [],
            details: { advertised: true, handshake: true } },
          certificate: { name: "certificate", status: 2, result_type: e, messages: [e],
            details: { valid: false, name_matches: false, subject: e } },
          version: { name: "version", status: 0, messages: [], details: { negotiated: e } },
          cipher: { name: "cipher", status: 0, messages: [], details: { negotiated: e } },
        },
      },
    },
    mta_sts: { name: "mta_sts", status: 2, messages: [e], result_type: e,
      details: { mode: e, txt: e } },
    extra_results: { "tls-rpt": { name: "tls-rpt", status: 2, messages: [e],
      details: { record: e } } },
    details: { dnssec_validated: true, mx_dnssec: e },
  };
}

async function caseHostile(a, browser) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "stc-hostile-"));
  const doms = EVIL.map((_, i) => hostileDomain(i));
  const file = path.join(tmp, "hostile.jsonl");
  fs.writeFileSync(file, doms.map((d) => JSON.stringify(d)).join("\n") +
    "\n<script>not json</script>\n{\"domain\": 5}\n" +
    JSON.stringify(hostileDomain(0)).replace("evil-0", "nul\\u0000byte") + "\n");
  const out = report(a, file, path.join(tmp, "hostile.html"));
  const problems = [];
  const page = await openPage(browser, out, problems);
  // hover and click around: an injected handler would run now
  await page.mouse.move(400, 400);
  const names = await rowNames(page);
  const parsed = doms.map((d) => JSON.parse(JSON.stringify(d)));
  const want = parsed.map((d) => classify(d).name);
  check(names.length === want.length, `table: ${names.length} rows, want ${want.length}`);
  for (const w of want) {
    // the C side censors control and non-ASCII bytes to \xHH; compare the ASCII part
    const ascii = w.replace(/[^\x20-\x7e]/g, "");
    check(names.some((n) => n.replace(/\\x[0-9a-f]{2}/g, "") === ascii),
      `"${w}" is not shown as text (rows: ${JSON.stringify(names)})`);
  }
  const target = names[0];
  await page.evaluate((n) => { location.hash = "#d/" + encodeURIComponent(n); }, target);
  await page.waitForFunction(() => !document.getElementById("detail").hidden);
  const verdict = await page.$eval("#detail .verdict", (e) => e.textContent);
  check(verdict === EVIL[0], `detail verdict "${verdict}"`);
  const labels = (await bars(page, "c-failures")).map((b) => b.label);
  check(labels.some((l) => l.includes("</script>")), "hostile finding keys not shown as text");
  const mx = (await bars(page, "c-mx")).map((b) => b.label);
  check(mx.length === doms.length, `MX concentration has ${mx.length} suffixes`);
  const unread = await page.$eval("[data-k=unreadable]", (e) => e.textContent);
  check(unread.startsWith("3 "), `unreadable records: "${unread}"`);
  const pwned = await page.evaluate(() => window.__pwned);
  check(pwned === undefined, `injected script ran (${pwned})`);
  const scripts = await page.$$eval("script", (s) => s.length);
  check(scripts === 3, `${scripts} script elements, want 3`);
  clean(problems, "hostile");
  await page.close();
}

async function caseDomain(a, browser) {
  const env = worldEnv();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "stc-domain-"));
  for (const dom of ["good.test", "expired.test", "multi.test", "hostilemix.test",
    "garbage.test", "nullmx.test"]) {
    const r = run(a.bin, ["--html", ...checkerArgs(env), dom]);
    const j = run(a.bin, ["--json", ...checkerArgs(env), dom]);
    check(r.status === j.status, `${dom}: --html exit ${r.status}, --json exit ${j.status}`);
    check(r.status < 64, `${dom}: --html exit ${r.status}: ${r.stderr}`);
    const d = JSON.parse(j.stdout);
    const file = path.join(tmp, dom + ".html");
    fs.writeFileSync(file, r.stdout);
    const problems = [];
    const page = await openPage(browser, file, problems);
    const got = await page.evaluate(() => ({
      h1: document.querySelector("h1").textContent,
      verdict: (document.querySelector(".verdict") || {}).textContent,
      mx: document.querySelectorAll("#mx tbody tr").length,
      recs: document.querySelectorAll("#recs li").length,
      details: document.querySelectorAll("section.hostd").length,
      scripts: document.querySelectorAll("script").length,
    }));
    check(got.h1 === `${dom}: ${d.status_text}`, `${dom}: heading "${got.h1}"`);
    check(got.verdict === d.message, `${dom}: verdict "${got.verdict}", JSON "${d.message}"`);
    const nh = Object.keys(d.results).length;
    check(got.mx === nh && got.details === nh, `${dom}: ${got.mx} MX rows, ${got.details} ` +
      `host sections, want ${nh}`);
    const recs = new Set();
    (function walk(n) {
      if (!n || typeof n !== "object") return;
      for (const x of n.recommendations || []) recs.add(x);
      for (const c of Object.values(n.checks || {})) walk(c);
    })({ recommendations: d.recommendations, checks: { ...d.results,
      ...(d.mta_sts ? { mta_sts: d.mta_sts } : {}), ...d.extra_results } });
    check(got.recs === recs.size, `${dom}: ${got.recs} recommendations, the JSON has ${recs.size}`);
    check(got.scripts === 0, `${dom}: a script in the domain report`);
    if (a.shots && dom === "expired.test")
      await page.screenshot({ path: path.join(a.shots, "domain-report.png"), fullPage: true });
    clean(problems, dom);
    await page.close();
  }
}

const CASES = { world: caseWorld, compare: caseCompare, hostile: caseHostile, domain: caseDomain };

async function main() {
  const a = args();
  if (a.cases.length === 0 || a.cases.some((c) => !CASES[c] && c !== "all")) {
    console.error("usage: report_test.js [--bin BIN] [--shots DIR] world|compare|hostile|domain|all");
    process.exit(2);
  }
  if (!fs.existsSync(CHROMIUM)) {
    console.error(`report_test: ${CHROMIUM} is missing (apt-get install chromium)`);
    process.exit(2);
  }
  const cases = a.cases.includes("all") ? Object.keys(CASES) : a.cases;
  if (a.shots) fs.mkdirSync(a.shots, { recursive: true });
  const browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--font-render-hinting=none"] });
  let failed = 0, passed = 0;
  try {
    for (const c of cases) {
      try {
        await CASES[c](a, browser);
        console.log(`PASS ${c}`);
        passed++;
      } catch (e) {
        console.log(`FAIL ${c}: ${e instanceof Fail ? e.message : e.stack}`);
        failed++;
      }
    }
  } finally {
    await browser.close();
    if (scanned) fs.rmSync(scanned.tmp, { recursive: true, force: true });
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main().catch((e) => { console.error(e); process.exit(1); });
