#!/bin/sh
# tls_certs.sh DIR - make the test PKI for test_tls_*.c in DIR (must exist).
#
#   root.pem           trusted test root (the client's CA file)
#   int.pem            intermediate CA under root
#   good.pem/.key      leaf, RSA 2048, DNS:mx.good.test + DNS:*.wild.test, by int
#   good.chain.pem     good + int (what a correct server sends)
#   expired.*          leaf by int, valid 2020-01-01 .. 2021-01-01 (+ .chain.pem)
#   future.*           leaf by int, valid from 2099 (+ .chain.pem)
#   self.pem/.key      self-signed leaf for mx.good.test
#   evil.pem/.key      leaf by an untrusted root "evilroot"; evil.chain.pem = leaf + evilroot
#   nul.pem/.key       leaf by int with SANs "x\0y.test" and "ok.test" (+ .chain.pem)
#   cn.pem/.key        leaf by int without SANs, CN=cn.good.test (+ .chain.pem)
#   X.spki             hex SHA-256 of X's DER SubjectPublicKeyInfo (TLSA selector 1)
#   X.sha256           hex SHA-256 of X's DER certificate (TLSA selector 0)
#
# Everything is local; nothing here touches the network.
set -eu
D=$1
cd "$D"
umask 077
export OPENSSL_CONF=/dev/null

cat > ca.cnf <<'CNF'
[ ca ]
default_ca = CA_test
[ CA_test ]
dir = .
database = $dir/index.txt
new_certs_dir = $dir/newcerts
serial = $dir/serial
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = no
[ policy_any ]
commonName = supplied
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ v3_ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_int ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ leaf_common ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ leaf_good ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:mx.good.test, DNS:*.wild.test
[ leaf_mx ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:mx.good.test
[ leaf_nul ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
# SEQUENCE { [2] "x\0y.test", [2] "ok.test" }
subjectAltName = DER:30138208780079 2e74657374820 76f6b2e74657374
[ leaf_cn ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
CNF
# "DER:" takes contiguous hex; keep the readable form above and join it here.
sed -i 's/^subjectAltName = DER:.*/subjectAltName = DER:301382087800792e7465737482076f6b2e74657374/' ca.cnf

mkdir -p newcerts
: > index.txt
echo 1000 > serial

eckey() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# Roots (self-signed CAs).
root() { # name CN
    eckey "$1.key"
    openssl req -config ca.cnf -new -x509 -key "$1.key" -subj "/CN=$2" -days 3650 \
        -extensions v3_ca -out "$1.pem"
}
root root "STC Test Root"
root evilroot "STC Untrusted Root"

# sign name cakey cacert subject extensions [startdate enddate]
sign() {
    openssl req -config ca.cnf -new -key "$1.key" -subj "$4" -out "$1.csr"
    if [ $# -ge 7 ]; then
        set -- "$@"
        openssl ca -config ca.cnf -batch -notext -keyfile "$2" -cert "$3" -in "$1.csr" \
            -out "$1.pem" -extfile ca.cnf -extensions "$5" -startdate "$6" -enddate "$7" 2>/dev/null
    else
        openssl ca -config ca.cnf -batch -notext -keyfile "$2" -cert "$3" -in "$1.csr" \
            -out "$1.pem" -extfile ca.cnf -extensions "$5" -days 365 2>/dev/null
    fi
}

eckey int.key
sign int root.key root.pem "/CN=STC Test Intermediate" v3_int
sed -i 's/^\[ v3_int \]/[ v3_int ]/' ca.cnf

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out good.key 2>/dev/null
sign good int.key int.pem "/O=STC Test/CN=mx.good.test" leaf_good
eckey expired.key
sign expired int.key int.pem "/CN=mx.good.test" leaf_mx 20200101000000Z 20210101000000Z
eckey future.key
sign future int.key int.pem "/CN=mx.good.test" leaf_mx 20990101000000Z 20991231000000Z
eckey nul.key
sign nul int.key int.pem "/CN=nul.good.test" leaf_nul
eckey cn.key
sign cn int.key int.pem "/CN=cn.good.test" leaf_cn
eckey evil.key
sign evil evilroot.key evilroot.pem "/CN=mx.good.test" leaf_mx

eckey self.key
openssl req -config ca.cnf -new -x509 -key self.key -subj "/CN=mx.good.test" -days 365 \
    -extensions leaf_mx -out self.pem

for n in good expired future nul cn; do cat "$n.pem" int.pem > "$n.chain.pem"; done
cat evil.pem evilroot.pem > evil.chain.pem

for n in root int good expired future self evil nul cn; do
    openssl x509 -in "$n.pem" -outform DER | sha256sum | cut -c1-64 > "$n.sha256"
    openssl x509 -in "$n.pem" -pubkey -noout | openssl pkey -pubin -outform DER |
        sha256sum | cut -c1-64 > "$n.spki"
done
