#!/usr/bin/env python3
"""Write the seed corpus of fuzz_dns_stub (fuzz/corpus/dns_stub/) by hand, no network.

Each seed is one selector byte (the question: index into fuzz_dns_stub.c's
questions[], bit 0x80 clear = the ID is taken from the answer) and a resolver
answer in wire form.
"""
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "dns_stub")
QA, QAAAA, QMX, QTXT, QTLSA, QWWW, QSOA, QMXA = range(8)


def name(s):
    out = b""
    for label in s.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def head(an, rcode=0, ad=True, tc=False, qname="example.com", qtype=1, ident=0x1234):
    flags = 0x8180 | rcode | (0x20 if ad else 0) | (0x200 if tc else 0)
    return struct.pack(">HHHHHH", ident, flags, 1, an, 0, 0) + name(qname) + struct.pack(
        ">HH", qtype, 1)


def rr(owner, rtype, rdata, ttl=300):
    return owner + struct.pack(">HHIH", rtype, 1, ttl, len(rdata)) + rdata


PTR_Q = b"\xc0\x0c"  # the question name
SEEDS = {
    "a": (QA, head(2) + rr(PTR_Q, 1, bytes([192, 0, 2, 2])) + rr(PTR_Q, 1, bytes([192, 0, 2, 1]))),
    "aaaa": (QAAAA, head(1, qtype=28) + rr(PTR_Q, 28, bytes.fromhex("20010db8" + "00" * 11 + "01"))),
    "mx_compressed": (QMX, head(2, qtype=15)
                      + rr(PTR_Q, 15, b"\x00\x0a\x02mx\xc0\x0c")
                      + rr(PTR_Q, 15, b"\x00\x14\x03mx2\xc0\x0c")),
    "mx_null": (QMX, head(1, qtype=15) + rr(PTR_Q, 15, b"\x00\x00\x00")),
    "cname_chain": (QWWW, head(3, qname="www.example.com")
                    + rr(PTR_Q, 5, name("a.example.org"))
                    + rr(name("a.example.org"), 5, b"\x01b\xc0\x10")
                    + rr(name("b.example.com"), 1, bytes([127, 0, 0, 1]))),
    "tlsa": (QTLSA, head(1, qname="_25._tcp.mx.example.com", qtype=52)
             + rr(PTR_Q, 52, b"\x03\x01\x01" + bytes(range(32)))),
    "txt": (QTXT, head(2, qtype=16)
            + rr(PTR_Q, 16, b"\x0bv=STSv1; id\x0a=20260101Z")
            + rr(PTR_Q, 16, b"\x10v=spf1 -all ...")),
    "servfail": (QMX, head(0, rcode=2, ad=False, qtype=15)),
    "nxdomain": (QA, head(0, rcode=3) + rr(name("com"), 6, name("a.gtld-servers.net")
                                          + name("nstld.verisign-grs.com")
                                          + struct.pack(">IIIII", 1, 1800, 900, 604800, 86400))),
    "soa_root": (QSOA, head(1, qname=".", qtype=6) + rr(b"\0", 6, name("a.root-servers.net")
                                                        + name("nstld.verisign-grs.com")
                                                        + struct.pack(">IIIII", 1, 2, 3, 4, 5))),
    "truncated": (QMX, (head(1, tc=True, qtype=15) + rr(PTR_Q, 15, b"\x00\x0a\x02mx\xc0\x0c"))[:40]),
    "pointer_loop": (QA, head(1) + b"\xc0\x1d" + struct.pack(">HHIH", 1, 1, 0, 4) + b"\x01\x02\x03\x04"),
    "label_loop": (QA, head(1) + b"\x01x\xc0\x1d" + struct.pack(">HHIH", 1, 1, 0, 4) + b"\x01\x02\x03\x04"),
    "rdlength_past_end": (QA, head(1) + rr(PTR_Q, 1, bytes([1, 2, 3, 4]))[:-2]),
    "cname_loop": (QWWW, head(2, qname="www.example.com")
                   + rr(PTR_Q, 5, name("x.example.com"))
                   + rr(name("x.example.com"), 5, b"\xc0\x0c")),
    # regressions: once accepted as an empty or zero-length answer
    "regress-empty_rdata": (QA, head(1) + rr(PTR_Q, 1, b"")),
    "regress-mx_name_past_rdata": (QMX, head(1, qtype=15) + rr(PTR_Q, 15, b"\x00\x0a\x02") + b"mx\0"),
    "regress-cname_past_rdata": (QWWW, head(2, qname="www.example.com") + rr(PTR_Q, 5, b"\x01b")
                                 + rr(name("example"), 1, bytes([127, 0, 0, 1]))),
    "regress-cname_chain_33": (QWWW, head(34, qname="www.example.com")
                               + rr(PTR_Q, 5, name("c1.example"))
                               + b"".join(rr(name("c%d.example" % i), 5, name("c%d.example" % (i + 1)))
                                          for i in range(1, 33))
                               + rr(name("c33.example"), 1, bytes([127, 0, 0, 1]))),
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for k, (sel, msg) in SEEDS.items():
        with open(os.path.join(OUT, k), "wb") as f:
            f.write(bytes([sel]) + msg)


if __name__ == "__main__":
    main()
