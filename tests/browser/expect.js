// expect.js - what the reports must show, computed here from the scan data itself
// (the JSON of each domain, docs/json.md), by the rules of docs/report.md, without
// the C code's classification. Used by report_test.js.
"use strict";

const STATUS = ["success", "warning", "failure", "error", "no_starttls",
  "could_not_connect", "bad_hostname"];

function hosts(d) {
  // results are keyed by absolute names, in the order of mx_hosts (older outputs:
  // mx_hostnames, without the dot)
  const order = d.mx_hosts || d.mx_hostnames || [];
  const names = Object.keys(d.results || {});
  names.sort((a, b) => {
    const ia = order.indexOf(a), ib = order.indexOf(b);
    return (ia < 0 ? 1e9 : ia) - (ib < 0 ? 1e9 : ib);
  });
  return names.map((n) => d.results[n]);
}

function det(node) { return (node && node.details) || {}; }
function checks(node) { return (node && node.checks) || {}; }

function certReason(c) {
  const x = det(c);
  const valid = "valid" in x ? x.valid : c.status === 0;
  if (valid) return "valid";
  if (typeof x.days_to_expiry === "number" && x.days_to_expiry < 0) return "expired";
  const msgs = (c.messages || []).join("\n");
  if (msgs.includes("not yet valid")) return "not yet valid";
  if (x.name_matches === false) return "wrong name";
  if (x.chain_trusted === false) return "untrusted issuer";
  if (msgs.includes("Weak certificate")) return "weak key or signature";
  return "other";
}

function version(v) {
  return { "TLSv1.3": "TLS 1.3", "TLSv1.2": "TLS 1.2", "TLSv1.1": "TLS 1.1", "TLSv1": "TLS 1.0",
    "TLSv1.0": "TLS 1.0", "SSLv3": "SSL 3" }[v] || "other";
}

function cipher(s) {
  if (!s) return "unknown";
  if (/NULL|EXPORT|RC4|_DES_|anon|ADH|AECDH/.test(s)) return "broken";
  const aead = /GCM|CCM|CHACHA20/.test(s);
  const pfs = /^TLS_(AES|CHACHA20)_/.test(s) || /DHE/.test(s);
  if (pfs) return aead ? "AEAD, forward secret" : "CBC, forward secret";
  return /RSA/.test(s) ? "no forward secrecy" : "unknown";
}

function mtasts(m) {
  if (!m) return "not checked";
  if (m.status >= 2) return "failing";
  const x = det(m), mode = m.mode !== undefined ? m.mode : x.mode;
  if (!x.active || !mode) return "not published";
  return { enforce: "enforce", testing: "testing", none: "mode none" }[mode] || "failing";
}

function tlsrpt(t) {
  if (!t) return "not checked";
  if (!det(t).record) return "none";
  return t.status >= 2 ? "invalid record" : "valid record";
}

function dnssec(d) {
  const x = det(d);
  if (x.dnssec_validated === false || !x.mx_dnssec) return "not validated";
  return { secure: "signed (secure)", insecure: "not signed", bogus: "bogus" }[x.mx_dnssec] ||
    "unknown";
}

function dane(t, dnssecClass) {
  if (!t) return dnssecClass === "not signed" ? "MX not signed" : "not checked";
  const x = det(t);
  if ((x.mx_dnssec && x.mx_dnssec !== "secure") || dnssecClass === "not signed")
    return "MX not signed";
  if (x.coverage === "all" && t.status <= 1) return "all MX authenticated";
  if (t.status >= 2) return "TLSA fails";
  if (x.coverage && x.coverage !== "none" && x.coverage !== "all") return "some MX authenticated";
  if (t.status === 1) return "TLSA not usable";
  return "no TLSA";
}

// Findings: host checks and domain checks at warning or worse.
function findings(d) {
  const f = new Map();
  function add(c, name) {
    if (c.status < 1) return;
    let sub = c.result_type;
    if (!sub) {
      for (const [k, v] of Object.entries(checks(c))) {
        if (v.status >= 1) { sub = v.result_type || v.name || k; break; }
      }
    }
    const n = c.name === "mta-sts" ? "mta_sts" : (c.name || name);
    const key = sub ? `${n}: ${sub}` : n;
    f.set(key, Math.max(f.get(key) || 0, c.status));
  }
  for (const h of hosts(d)) for (const [k, c] of Object.entries(checks(h))) add(c, k);
  if (d.mta_sts) add(d.mta_sts, "mta_sts");
  for (const [k, c] of Object.entries(d.extra_results || {})) add(c, k);
  if (det(d).mx_dnssec === "bogus" && det(d).dnssec_validated !== false)
    f.set("dnssec: bogus", 3);
  return f;
}

function suffix(host) {
  const l = host.replace(/\.+$/, "").split(".");
  if (l.length < 2) return host;
  const cc = ["co", "com", "net", "org", "ac", "gov", "edu", "ne", "or"];
  if (l[l.length - 1].length === 2 && cc.includes(l[l.length - 2]) && l.length >= 3)
    return l.slice(-3).join(".");
  return l.slice(-2).join(".");
}

function rank(s) { return s === 0 ? 0 : s === 1 ? 1 : s === 3 ? 2 : 3; }

function classify(d) {
  const hs = hosts(d).map((h) => {
    const st = checks(h).starttls, tls = !!det(st).handshake;
    const out = { name: h.hostname || h.name, reachable: !!det(h).connected, tls };
    if (tls) {
      out.cert = checks(h).certificate ? certReason(checks(h).certificate) : "other";
      out.ver = version(det(checks(h).version).negotiated);
      out.ciph = cipher(det(checks(h).cipher).negotiated);
    }
    return out;
  });
  const reach = hs.filter((h) => h.reachable).length, tls = hs.filter((h) => h.tls).length;
  let starttls;
  if (hs.length === 0) starttls = "no MX host";
  else if (reach === 0) starttls = "no MX host reachable";
  else if (tls === 0) starttls = "on no MX host";
  else starttls = tls >= reach ? "STARTTLS on all MX hosts" : "on some MX hosts";
  const dn = dnssec(d);
  return {
    name: d.domain, status: d.status, hosts: hs, starttls,
    allValid: tls > 0 && hs.filter((h) => h.tls && h.cert === "valid").length === tls,
    expired: hs.some((h) => h.tls && h.cert === "expired"),
    sts: mtasts(d.mta_sts), rpt: tlsrpt((d.extra_results || {})["tls-rpt"]), dnssec: dn,
    dane: dane((d.extra_results || {}).dane, dn), findings: findings(d),
  };
}

function bump(m, k, n = 1) { m.set(k, (m.get(k) || 0) + n); }

// Everything the scan report shows, from a list of domain objects.
function aggregate(domains) {
  const c = {
    domains: 0, hosts: 0, withMx: 0, allValid: 0, tlsDomains: 0,
    charts: {}, fail: new Map(), suffix: new Map(), rows: [],
  };
  for (const id of ["c-status", "c-starttls", "c-cert", "c-version", "c-cipher", "c-mtasts",
    "c-tlsrpt", "c-dnssec", "c-dane"]) c.charts[id] = new Map();
  for (const d of domains) {
    const x = classify(d);
    c.rows.push(x);
    c.domains++;
    c.hosts += x.hosts.length;
    if (x.hosts.length) c.withMx++;
    if (x.allValid) c.allValid++;
    if (x.starttls === "STARTTLS on all MX hosts" || x.starttls === "on some MX hosts")
      c.tlsDomains++;
    bump(c.charts["c-status"], STATUS[x.status]);
    bump(c.charts["c-starttls"], x.starttls);
    bump(c.charts["c-mtasts"], x.sts);
    bump(c.charts["c-tlsrpt"], x.rpt);
    bump(c.charts["c-dnssec"], x.dnssec);
    bump(c.charts["c-dane"], x.dane);
    for (const h of x.hosts) {
      if (!h.tls) continue;
      bump(c.charts["c-cert"], h.cert);
      bump(c.charts["c-version"], h.ver);
      bump(c.charts["c-cipher"], h.ciph);
    }
    for (const [k, s] of x.findings) if (s >= 2) bump(c.fail, k);
    for (const s of new Set(x.hosts.map((h) => suffix(h.name)))) bump(c.suffix, s);
  }
  c.headline = {
    domains: [c.domains], hosts: [c.hosts], mx: [c.withMx, c.domains],
    starttls_all: [c.charts["c-starttls"].get("STARTTLS on all MX hosts") || 0, c.withMx],
    certs_valid: [c.allValid, c.tlsDomains],
    mtasts_enforce: [c.charts["c-mtasts"].get("enforce") || 0, c.domains],
    tlsrpt: [c.charts["c-tlsrpt"].get("valid record") || 0, c.domains],
    dnssec: [c.charts["c-dnssec"].get("signed (secure)") || 0, c.domains],
    dane_all: [c.charts["c-dane"].get("all MX authenticated") || 0, c.domains],
  };
  return c;
}

module.exports = { aggregate, classify, rank, STATUS };
