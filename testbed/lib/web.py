"""NAME
    web - MTA-STS policy hosting: policy files and nginx.conf.

SYNOPSIS
    text = nginx_conf(run_dir, https_addr, sites, default_cert)
    body = policy_text(domain)

DESCRIPTION
    One nginx server block per mta-sts.DOMAIN on PREFIX.0.43:443 (SNI), with
    the certificate from the test CA (fullchain: leaf + intermediate). The
    https= variant of the case decides what /.well-known/mta-sts.txt does:
    ok, redirect (301), content-type (text/html), oversized (> 64 KiB),
    malformed (not a policy), wrongcert (certificate for another name),
    404 (no file). Unknown SNI gets the default server: 404 with a
    certificate for default.invalid.
"""

import os

POLICY_PATH = "/.well-known/mta-sts.txt"


def policy_text(d):
    """The MTA-STS policy body for domain d (RFC 8461 section 3.2)."""
    if d.https == "malformed":
        return "version: STSv2\r\nmode: sometimes\r\nmx mx1.%s\r\nmax_age: -5\r\n" % d.name
    mxs = d.policy_mx or [h.name for h in d.hosts]
    lines = ["version: STSv1", "mode: %s" % d.policy]
    lines += ["mx: %s" % m for m in mxs]
    lines.append("max_age: %d" % d.policy_max_age)
    body = "\r\n".join(lines) + "\r\n"
    if d.https == "oversized":
        pad = []
        n = 0
        while len(body) + sum(len(p) for p in pad) <= 70 * 1024:
            pad.append("mx: padding-%05d.%s\r\n" % (n, d.name))
            n += 1
        body += "".join(pad)
    return body


def write_site(www_dir, d):
    """Write the document root of mta-sts.DOMAIN; returns its path."""
    root = os.path.join(www_dir, "mta-sts." + d.name)
    wk = os.path.join(root, ".well-known")
    os.makedirs(wk, exist_ok=True)
    target = os.path.join(wk, "mta-sts.txt")
    if d.https == "404":
        if os.path.exists(target):
            os.unlink(target)
    else:
        body = policy_text(d)
        with open(target, "w", newline="") as f:
            f.write(body)
    if d.https == "redirect":
        with open(os.path.join(wk, "moved.txt"), "w", newline="") as f:
            f.write(policy_text(d))
    return root


def nginx_conf(run_dir, addr, sites, default_cert):
    """sites: list of (server_name, https_variant, Cert, docroot)."""
    run = os.path.abspath(run_dir)
    tmp = os.path.join(run, "nginx-tmp")
    out = ["user root;",
           "worker_processes 1;",
           "daemon on;",
           "pid %s/nginx.pid;" % run,
           "error_log %s/nginx-error.log info;" % run,
           "events { worker_connections 1024; }",
           "http {",
           "    log_format world '$remote_addr $ssl_server_name \"$request\" $status';",
           "    access_log %s/nginx-access.log world;" % run,
           "    client_body_temp_path %s/body;" % tmp,
           "    proxy_temp_path %s/proxy;" % tmp,
           "    fastcgi_temp_path %s/fastcgi;" % tmp,
           "    uwsgi_temp_path %s/uwsgi;" % tmp,
           "    scgi_temp_path %s/scgi;" % tmp,
           "    types { text/plain txt; }",
           "    default_type application/octet-stream;",
           "    server_tokens off;",
           "    ssl_protocols TLSv1.2 TLSv1.3;",
           "    server {",
           "        listen %s:443 ssl default_server;" % addr,
           "        server_name _;",
           "        ssl_certificate %s;" % default_cert.fullchain,
           "        ssl_certificate_key %s;" % default_cert.key,
           "        return 404;",
           "    }"]
    for name, variant, cert, root in sites:
        out += ["    server {",
                "        listen %s:443 ssl;" % addr,
                "        server_name %s;" % name,
                "        ssl_certificate %s;" % cert.fullchain,
                "        ssl_certificate_key %s;" % cert.key,
                "        root %s;" % root]
        if variant == "redirect":
            out.append("        location = %s { return 301 https://%s/.well-known/moved.txt; }"
                       % (POLICY_PATH, name))
        elif variant == "content-type":
            out.append("        location = %s { types { } default_type text/html; }" % POLICY_PATH)
        else:
            out.append("        location = %s { types { } default_type text/plain; }" % POLICY_PATH)
        out.append("    }")
    out += ["}", ""]
    return "\n".join(out)
