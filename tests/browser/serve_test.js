#!/usr/bin/env node
// NAME
//     serve_test.js - starttls-check serve in a real browser (headless Debian chromium)
// SYNOPSIS
//     node tests/browser/serve_test.js --bin build/starttls-check [--shots DIR]
// DESCRIPTION
//     Starts `BIN serve --allow-private` on the world's PREFIX.0.85 (any port),
//     opens its page in chromium (puppeteer-core, /usr/bin/chromium,
//     --no-sandbox), types slowa.test (two MX hosts that greet after 1.5 s),
//     submits, and then must see: the check's page (/check/ID) with each MX
//     host listed and one marked running while the check runs, then the
//     domain's report with the verdict, the MX table and the permanent link,
//     and the domain's history page listing the check. Every page must load
//     with no console error, page error (a Content-Security-Policy violation is
//     one) or dialog, and no request may leave the service's origin. SIGTERM
//     then stops the service (exit 0). --shots DIR saves the form, the
//     progress and the report (docs/img/ in the repository).
// DIAGNOSTICS
//     "PASS serve" or "FAIL serve: reason"; exit 0 passed, 1 failed, 2 a missing
//     prerequisite (no chromium, the world not up).
"use strict";

const fs = require("fs");
const os = require("os");
const path = require("path");
const { execFileSync, spawn, spawnSync } = require("child_process");
const puppeteer = require("puppeteer-core");

const REPO = path.resolve(__dirname, "..", "..");
const CHROMIUM = "/usr/bin/chromium";
const DOMAIN = "slowa.test";

class Fail extends Error {}
function check(cond, msg) { if (!cond) throw new Fail(msg); }

function worldEnv() {
  const w = path.join(REPO, "testbed", "world");
  if (spawnSync(w, ["status"]).status !== 0) {
    console.error("serve_test: the world is not up (testbed/world up)");
    process.exit(2);
  }
  const env = {};
  for (const kv of execFileSync(w, ["env"], { encoding: "utf8" }).trim().split(/\s+/)) {
    const i = kv.indexOf("=");
    env[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return env;
}

function startServe(bin, env) {
  const prefix = process.env.WORLD_PREFIX || "127.77";
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "serve_browser."));
  const p = spawn(bin, ["serve", "--allow-private", "--listen", `${prefix}.0.85:0`,
    "--db", path.join(dir, "serve.db"), "--resolver", env.WORLD_RESOLVER,
    "--trust-anchor", env.WORLD_TRUST_ANCHOR, "--ca-file", env.WORLD_CA, "--timeout", "10"],
  { stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  p.stderr.on("data", (d) => { err += d; });
  return new Promise((resolve, reject) => {
    let out = "";
    const t = setTimeout(() => reject(new Fail("serve did not start: " + err)), 10000);
    p.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/listening on (\S+):\d+ port (\d+)/);
      if (m) {
        clearTimeout(t);
        resolve({ p, base: `http://${m[1]}:${m[2]}`, stderr: () => err });
      }
    });
    p.on("exit", (c) => reject(new Fail(`serve exited ${c}: ${err}`)));
  });
}

async function run(bin, shots) {
  const env = worldEnv();
  const srv = await startServe(bin, env);
  const browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--font-render-hinting=none"] });
  const problems = [];
  try {
    const page = await browser.newPage();
    await page.setRequestInterception(true);
    page.on("request", (req) => {
      const u = req.url();
      if (u.startsWith(srv.base + "/")) return req.continue();
      problems.push(`request outside the service: ${u.slice(0, 200)}`);
      return req.abort();
    });
    page.on("console", (m) => {
      if ((m.type() === "error" || m.type() === "warning") && !/favicon/.test(m.text()))
        problems.push(`console ${m.type()}: ${m.text().slice(0, 300)}`);
    });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("dialog", async (d) => { problems.push(`dialog: ${d.message()}`); await d.dismiss(); });
    await page.setViewport({ width: 1200, height: 900 });

    await page.goto(srv.base + "/", { waitUntil: "load" });
    check(await page.$("#check-form") !== null, "no form on the page");
    await page.type("#domain", DOMAIN);
    if (shots) await page.screenshot({ path: path.join(shots, "serve-form.png") });
    await Promise.all([page.waitForNavigation({ timeout: 15000 }), page.click("#go")]);
    const m = page.url().match(/\/check\/([0-9a-f]{32})$/);
    check(m, `after submitting: ${page.url()}`);
    const id = m[1];

    // Progress: both hosts listed, one of them running, before the report.
    await page.waitForFunction(() => {
      const li = document.querySelectorAll("#hosts li");
      return li.length === 2 && [...li].some((x) => x.getAttribute("data-state") === "running");
    }, { timeout: 30000 });
    const hosts = await page.$$eval("#hosts li", (li) => li.map((x) => x.textContent));
    check(hosts.some((h) => h.includes("mx1.slowa.test")) &&
          hosts.some((h) => h.includes("mx2.slowa.test")), `progress shows ${hosts}`);
    if (shots) await page.screenshot({ path: path.join(shots, "serve-progress.png") });

    // The report replaces the progress when the check is done.
    await page.waitForSelector("#permalink", { timeout: 60000 });
    const link = await page.$eval("#permalink", (a) => a.getAttribute("href"));
    check(link === `/check/${id}`, `permanent link ${link}`);
    const text = await page.evaluate(() => document.body.innerText);
    check(text.includes(DOMAIN) && text.includes("mx1.slowa.test") &&
          text.includes("mx2.slowa.test"), "the report does not name the domain and its hosts");
    // (from here, not the page: the report's own CSP allows it no request)
    const api = await (await fetch(`${srv.base}/api/v1/checks/${id}`)).json();
    check(api.state === "done" && api.result.domain === DOMAIN, `API: ${JSON.stringify(api).slice(0, 200)}`);
    if (shots) await page.screenshot({ path: path.join(shots, "serve-report.png") });

    // The history page lists it.
    await page.goto(`${srv.base}/domain/${DOMAIN}`, { waitUntil: "load" });
    check(await page.$(`a[href="/check/${id}"]`) !== null, "history does not list the check");
    check(problems.length === 0, problems.join("; "));
  } finally {
    await browser.close();
    srv.p.kill("SIGTERM");
    const code = await new Promise((r) => {
      if (srv.p.exitCode !== null) r(srv.p.exitCode);
      srv.p.on("exit", (c) => r(c));
    });
    check(code === 0, `serve exited ${code} after SIGTERM: ${srv.stderr().slice(-500)}`);
    for (const mk of ["ERROR: AddressSanitizer", "runtime error:", "ERROR: LeakSanitizer"])
      check(!srv.stderr().includes(mk), `sanitizer report: ${srv.stderr().slice(-2000)}`);
  }
}

async function main() {
  const v = process.argv.slice(2);
  let bin = path.join(REPO, "build", "starttls-check"), shots = null;
  for (let i = 0; i < v.length; i++) {
    if (v[i] === "--bin") bin = v[++i];
    else if (v[i] === "--shots") shots = v[++i];
  }
  if (!fs.existsSync(CHROMIUM)) {
    console.error(`serve_test: ${CHROMIUM} is missing (apt-get install chromium)`);
    process.exit(2);
  }
  if (shots) fs.mkdirSync(shots, { recursive: true });
  try {
    await run(bin, shots);
    console.log("PASS serve");
  } catch (e) {
    console.log(`FAIL serve: ${e instanceof Fail ? e.message : e.stack}`);
    process.exit(1);
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
