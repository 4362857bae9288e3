"""NAME
    pki - the world's test CA and certificates (openssl CLI).

SYNOPSIS
    pki = PKI(run_dir + "/pki"); pki.ensure_cas()
    c = pki.leaf(["mx1.good.test"], "valid")  # -> Cert(cert, key, chain, fullchain)
    pki.tlsa_data(c, usage=3, selector=1, mtype=1)

DESCRIPTION
    Root CA (P-256) -> intermediate CA (P-256) -> leaves (P-256, or RSA-2048
    for hosts whose behaviour offers legacy RSA suites), issued with
    `openssl ca` so that notBefore/notAfter can be fixed (expired / not yet
    valid variants). A second, untrusted "rogue" root issues the unknownca
    variant. Every file is created only when missing, so repeated runs keep
    keys, certificates and therefore TLSA records stable.
    run/ca.pem (written by world.py) is the root only.

    Variants: valid (SAN = names, chain = intermediate), selfsigned, wrongname
    (SAN wrong-name.invalid), expired (2020..2021), notyet (2090..2091),
    nochain (valid leaf, served without the intermediate), unknownca,
    rsa1024 (an RSA-1024 key), sha1 (signed with ecdsa-with-SHA1), cnonly
    (no subjectAltName: the name only in the subject CN); the last three
    are issued by the trusted intermediate.

DIAGNOSTICS
    subprocess.CalledProcessError with openssl's stderr on failure.
"""

import hashlib
import os
import re
import subprocess

OPENSSL = "openssl"
CA_START, CA_END = "20200101000000Z", "20450101000000Z"
VALIDITY = {
    "valid": ("20240101000000Z", "20360101000000Z"),
    "wrongname": ("20240101000000Z", "20360101000000Z"),
    "nochain": ("20240101000000Z", "20360101000000Z"),
    "unknownca": ("20240101000000Z", "20360101000000Z"),
    "selfsigned": ("20240101000000Z", "20360101000000Z"),
    "expired": ("20200101000000Z", "20210101000000Z"),
    "notyet": ("20900101000000Z", "20910101000000Z"),
    "rsa1024": ("20240101000000Z", "20360101000000Z"),
    "sha1": ("20240101000000Z", "20360101000000Z"),
    "cnonly": ("20240101000000Z", "20360101000000Z"),
}
# Variants issued by the trusted intermediate that senders must still reject
# or distrust: a 1024-bit RSA key, a SHA-1 signature, a name only in the CN.
WEAK_BITS = {"rsa1024": 1024}
SIG_MD = {"sha1": "sha1"}

CA_CONF = """\
[ ca ]
default_ca = world_ca
[ world_ca ]
dir = {dir}
database = $dir/index.txt
new_certs_dir = $dir/newcerts
serial = $dir/serial
default_md = sha256
policy = policy_any
unique_subject = no
email_in_dn = no
copy_extensions = none
[ policy_any ]
commonName = supplied
organizationName = optional
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ v3_root ]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ v3_inter ]
basicConstraints = critical,CA:true,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
"""

LEAF_EXT = """\
[ v3_leaf ]
basicConstraints = critical,CA:false
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"""


def _run(args, **kw):
    return subprocess.run(args, check=True, capture_output=True, **kw)


class Cert:
    def __init__(self, cert, key, chain, fullchain):
        self.cert, self.key, self.chain, self.fullchain = cert, key, chain, fullchain


class PKI:
    def __init__(self, d):
        self.dir = os.path.abspath(d)
        self._spki = {}

    def p(self, *parts):
        return os.path.join(self.dir, *parts)

    # ------------------------------------------------------------ CAs
    def _ca_dir(self, name):
        d = self.p(name)
        os.makedirs(os.path.join(d, "newcerts"), exist_ok=True)
        conf = os.path.join(d, "ca.cnf")
        if not os.path.exists(conf):
            with open(conf, "w") as f:
                f.write(CA_CONF.format(dir=d))
            open(os.path.join(d, "index.txt"), "a").close()
            with open(os.path.join(d, "serial"), "w") as f:
                f.write("1000\n")
        return d, conf

    def _ec_key(self, path):
        if not os.path.exists(path):
            _run([OPENSSL, "genpkey", "-algorithm", "EC", "-pkeyopt",
                  "ec_paramgen_curve:P-256", "-out", path])
            os.chmod(path, 0o600)

    def _rsa_key(self, path, bits=2048):
        if not os.path.exists(path):
            _run([OPENSSL, "genpkey", "-algorithm", "RSA", "-pkeyopt",
                  "rsa_keygen_bits:%d" % bits, "-out", path])
            os.chmod(path, 0o600)

    def _self_root(self, name, cn):
        d, conf = self._ca_dir(name)
        key, pem = os.path.join(d, "ca.key"), os.path.join(d, "ca.pem")
        if os.path.exists(pem):
            return d, conf
        self._ec_key(key)
        csr = os.path.join(d, "ca.csr")
        _run([OPENSSL, "req", "-new", "-config", conf, "-key", key, "-subj", "/CN=" + cn,
              "-out", csr])
        _run([OPENSSL, "ca", "-batch", "-config", conf, "-selfsign", "-keyfile", key,
              "-extensions", "v3_root", "-startdate", CA_START, "-enddate", CA_END,
              "-notext", "-in", csr, "-out", pem])
        return d, conf

    def ensure_cas(self):
        os.makedirs(self.dir, exist_ok=True)
        root_d, root_conf = self._self_root("root", "World Test Root CA")
        self._self_root("rogue", "Rogue Untrusted Root CA")
        inter_d, _ = self._ca_dir("inter")
        ikey, ipem = os.path.join(inter_d, "ca.key"), os.path.join(inter_d, "ca.pem")
        if not os.path.exists(ipem):
            self._ec_key(ikey)
            csr = os.path.join(inter_d, "ca.csr")
            _run([OPENSSL, "req", "-new", "-config", root_conf, "-key", ikey,
                  "-subj", "/CN=World Test Intermediate CA", "-out", csr])
            _run([OPENSSL, "ca", "-batch", "-config", root_conf,
                  "-cert", os.path.join(root_d, "ca.pem"),
                  "-keyfile", os.path.join(root_d, "ca.key"),
                  "-extensions", "v3_inter", "-startdate", CA_START, "-enddate", CA_END,
                  "-notext", "-in", csr, "-out", ipem])

    @property
    def root_pem(self):
        return self.p("root", "ca.pem")

    @property
    def inter_pem(self):
        return self.p("inter", "ca.pem")

    # ------------------------------------------------------------ leaves
    def leaf(self, names, variant, rsa=False):
        """Certificate for host names (first = CN) in the given variant; the
        key is EC P-256, or RSA-2048 with rsa=True (legacy cipher suites)."""
        base = re.sub(r"[^a-z0-9.-]", "_", names[0].lower())
        d = self.p("leaf", "%s.%s%s" % (base, variant, ".rsa" if rsa else ""))
        os.makedirs(d, exist_ok=True)
        key, crt = os.path.join(d, "leaf.key"), os.path.join(d, "leaf.pem")
        full = os.path.join(d, "fullchain.pem")
        san_names = ["wrong-name.invalid"] if variant == "wrongname" else names
        cn = san_names[0]
        if not os.path.exists(full):
            if variant in WEAK_BITS:
                self._rsa_key(key, WEAK_BITS[variant])
            else:
                (self._rsa_key if rsa else self._ec_key)(key)
            san = ",".join("DNS:" + n for n in san_names)
            start, end = VALIDITY[variant]
            if variant == "selfsigned":
                _run([OPENSSL, "req", "-x509", "-new", "-key", key, "-subj", "/CN=" + cn,
                      "-days", "3650", "-addext", "subjectAltName=" + san,
                      "-addext", "basicConstraints=critical,CA:false",
                      "-addext", "extendedKeyUsage=serverAuth", "-out", crt])
            else:
                ca = "rogue" if variant == "unknownca" else "inter"
                ca_d, _ = self._ca_dir(ca)
                root_conf = self.p("root", "ca.cnf")
                ext = os.path.join(d, "ext.cnf")
                with open(ext, "w") as f:
                    f.write(LEAF_EXT)
                    if variant != "cnonly":
                        f.write("subjectAltName = %s\n" % san)
                csr = os.path.join(d, "leaf.csr")
                _run([OPENSSL, "req", "-new", "-config", root_conf, "-key", key,
                      "-subj", "/CN=" + cn, "-out", csr])
                _run([OPENSSL, "ca", "-batch", "-config", os.path.join(ca_d, "ca.cnf"),
                      "-cert", os.path.join(ca_d, "ca.pem"),
                      "-keyfile", os.path.join(ca_d, "ca.key"),
                      "-extfile", ext, "-extensions", "v3_leaf",
                      "-startdate", start, "-enddate", end, "-notext",
                      "-md", SIG_MD.get(variant, "sha256"),
                      "-in", csr, "-out", crt])
            with open(crt) as f:
                leaf = f.read()
            chain = self._chain_text(variant)
            with open(full + ".tmp", "w") as f:
                f.write(leaf + chain)
            os.replace(full + ".tmp", full)
        chain_path = None
        if self._chain_text(variant):
            chain_path = self.inter_pem
        return Cert(crt, key, chain_path, full)

    def _chain_text(self, variant):
        if variant in ("selfsigned", "nochain", "unknownca"):
            return ""
        with open(self.inter_pem) as f:
            return f.read()

    def wildcard(self, domain):
        """A valid *.domain certificate (scale mode)."""
        return self.leaf(["*." + domain], "valid", rsa=True)

    # ------------------------------------------------------------ DANE
    def _der(self, pem, selector):
        k = (pem, selector)
        if k not in self._spki:
            if selector == 1:
                pub = _run([OPENSSL, "x509", "-in", pem, "-noout", "-pubkey"]).stdout
                der = _run([OPENSSL, "pkey", "-pubin", "-outform", "DER"], input=pub).stdout
            else:
                der = _run([OPENSSL, "x509", "-in", pem, "-outform", "DER"]).stdout
            self._spki[k] = der
        return self._spki[k]

    def tlsa_data(self, cert, usage, selector, mtype, bad=False):
        """Hex association data for a TLSA record matching cert (usage 1/3: the
        leaf; 0/2: the issuing intermediate)."""
        pem = cert.cert if usage in (1, 3) else self.inter_pem
        der = self._der(pem, selector)
        if mtype == 1:
            data = hashlib.sha256(der).digest()
        elif mtype == 2:
            data = hashlib.sha512(der).digest()
        else:
            data = der
        if bad:
            data = bytes(b ^ 0x5a for b in data)
        return data.hex()
