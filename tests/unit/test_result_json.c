/* test_result_json.c - stc_result_to_json against docs/json.md: build trees
 * with the result_tree.h builders, serialize, parse back, check every key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include <starttls/json.h>

#include "result/result_tree.h"

#define SAMPLE_COMPACT \
    "{\"domain\":\"example.com\",\"status\":2,\"status_text\":\"failure\"," \
    "\"message\":\"mx2.example.com has an expired certificate\",\"mx_hosts\":[\"mx1.example.com." \
    "\",\"mx2.example.com.\"],\"preferred_hostnames\":[\"mx1.example.com.\"]," \
    "\"implicit_mx\":false,\"null_mx\":false,\"results\":{\"mx1.example.com.\":{\"name\":\"hostn" \
    "ames\",\"domain\":\"example.com\",\"hostname\":\"mx1.example.com\"," \
    "\"preference\":10,\"address\":\"192.0.2.1\",\"status\":0,\"status_text\":\"Success\"," \
    "\"description\":\"MX host checks\",\"messages\":[],\"details\":{\"connected\":true}," \
    "\"checks\":{\"connectivity\":{\"name\":\"connectivity\",\"status\":0," \
    "\"status_text\":\"Success\",\"description\":\"TCP connection to port 25\"," \
    "\"messages\":[]},\"starttls\":{\"name\":\"starttls\",\"status\":0," \
    "\"status_text\":\"Success\",\"description\":\"STARTTLS offered and working\"," \
    "\"messages\":[],\"details\":{\"advertised\":true,\"handshake\":true}}," \
    "\"certificate\":{\"name\":\"certificate\",\"status\":0,\"status_text\":\"Success\"," \
    "\"description\":\"certificate valid for the host\",\"messages\":[]," \
    "\"details\":{\"valid\":true,\"days_to_expiry\":80}},\"version\":{\"name\":\"version\"," \
    "\"status\":0,\"status_text\":\"Success\",\"description\":\"TLS version\"," \
    "\"messages\":[],\"details\":{\"negotiated\":\"TLSv1.3\",\"negotiated_code\":772}}," \
    "\"cipher\":{\"name\":\"cipher\",\"status\":0,\"status_text\":\"Success\"," \
    "\"description\":\"cipher suite\",\"messages\":[],\"details\":{\"negotiated\":\"TLS_AES_256_" \
    "GCM_SHA384\"}}}},\"mx2.example.com.\":{\"name\":\"hostnames\"," \
    "\"domain\":\"example.com\",\"hostname\":\"mx2.example.com\",\"preference\":20," \
    "\"address\":\"192.0.2.2\",\"status\":2,\"status_text\":\"Failure\"," \
    "\"description\":\"MX host checks\",\"messages\":[],\"details\":{\"connected\":true}," \
    "\"checks\":{\"connectivity\":{\"name\":\"connectivity\",\"status\":0," \
    "\"status_text\":\"Success\",\"description\":\"TCP connection to port 25\"," \
    "\"messages\":[]},\"starttls\":{\"name\":\"starttls\",\"status\":0," \
    "\"status_text\":\"Success\",\"description\":\"STARTTLS offered and working\"," \
    "\"messages\":[],\"details\":{\"advertised\":true}},\"certificate\":{\"name\":\"certificate\"" \
    ",\"status\":2,\"status_text\":\"Failure\",\"description\":\"certificate valid for the host\"" \
    ",\"messages\":[\"certificate expired 3 days ago\"],\"result_type\":\"certificate-expired\"," \
    "\"recommendations\":[\"Renew the certificate of mx2.example.com.\"]," \
    "\"details\":{\"valid\":false,\"days_to_expiry\":-3}},\"version\":{\"name\":\"version\"," \
    "\"status\":1,\"status_text\":\"Warning\",\"description\":\"TLS version\"," \
    "\"messages\":[\"negotiated TLSv1.1\"],\"details\":{\"negotiated\":\"TLSv1.1\"}}}}}," \
    "\"mta_sts\":{\"name\":\"mta-sts\",\"status\":0,\"status_text\":\"Success\"," \
    "\"description\":\"MTA-STS (RFC 8461)\",\"messages\":[],\"policy\":\"version: STSv1\\r\\nmod" \
    "e: enforce\\r\\n\",\"mode\":\"enforce\",\"mxs\":[\"*.example.com\"]," \
    "\"details\":{\"max_age\":604800,\"empty_list\":[]},\"checks\":{\"policy\":{\"name\":\"polic" \
    "y\",\"status\":0,\"status_text\":\"Success\",\"description\":\"policy file\"," \
    "\"messages\":[\"policy fetched\"]}}},\"extra_results\":{\"tls-rpt\":{\"name\":\"tls-rpt\"," \
    "\"status\":1,\"status_text\":\"Warning\",\"description\":\"TLS-RPT (RFC 8460)\"," \
    "\"messages\":[\"no TLS-RPT record\"],\"recommendations\":[\"Publish a TLS-RPT record.\"]}}," \
    "\"details\":{\"dnssec\":true}}"
#define INDENTED \
    "{\n" \
    "  \"domain\": \"ind.example\",\n" \
    "  \"status\": 1,\n" \
    "  \"status_text\": \"warning\",\n" \
    "  \"message\": \"one host\",\n" \
    "  \"mx_hosts\": [\n" \
    "    \"mx.ind.example.\"\n" \
    "  ],\n" \
    "  \"preferred_hostnames\": [],\n" \
    "  \"implicit_mx\": true,\n" \
    "  \"null_mx\": false,\n" \
    "  \"results\": {\n" \
    "    \"mx.ind.example.\": {\n" \
    "      \"name\": \"hostnames\",\n" \
    "      \"domain\": \"ind.example\",\n" \
    "      \"hostname\": \"mx.ind.example\",\n" \
    "      \"preference\": 0,\n" \
    "      \"status\": 0,\n" \
    "      \"status_text\": \"Success\",\n" \
    "      \"description\": \"host\",\n" \
    "      \"messages\": [],\n" \
    "      \"checks\": {\n" \
    "        \"starttls\": {\n" \
    "          \"name\": \"starttls\",\n" \
    "          \"status\": 1,\n" \
    "          \"status_text\": \"Warning\",\n" \
    "          \"description\": \"\",\n" \
    "          \"messages\": [\n" \
    "            \"slow\"\n" \
    "          ],\n" \
    "          \"details\": {\n" \
    "            \"l\": [\n" \
    "              \"a\",\n" \
    "              \"b\"\n" \
    "            ]\n" \
    "          }\n" \
    "        }\n" \
    "      }\n" \
    "    }\n" \
    "  },\n" \
    "  \"mta_sts\": null,\n" \
    "  \"extra_results\": {\n" \
    "    \"tls-rpt\": {\n" \
    "      \"name\": \"tls-rpt\",\n" \
    "      \"status\": 0,\n" \
    "      \"status_text\": \"Success\",\n" \
    "      \"description\": \"TLS-RPT\",\n" \
    "      \"messages\": []\n" \
    "    }\n" \
    "  },\n" \
    "  \"recommendations\": [\n" \
    "    \"Fix it.\"\n" \
    "  ],\n" \
    "  \"details\": {\n" \
    "    \"n\": -7,\n" \
    "    \"none\": []\n" \
    "  }\n" \
    "}"
#define KINDS_ROOT \
    "{\"domain\":\"kinds.example\",\"status\":0,\"status_text\":\"success\"," \
    "\"message\":\"\",\"mx_hosts\":[],\"preferred_hostnames\":[],\"implicit_mx\":false," \
    "\"null_mx\":false,\"results\":{\"mta_sts.\":{\"name\":\"hostnames\"," \
    "\"domain\":\"kinds.example\",\"hostname\":\"mta_sts\",\"status\":0," \
    "\"status_text\":\"Success\",\"description\":\"a host named mta_sts\"," \
    "\"messages\":[]}},\"mta_sts\":{\"name\":\"mta-sts\",\"status\":0," \
    "\"status_text\":\"Success\",\"description\":\"first\",\"messages\":[]," \
    "\"policy\":\"\",\"mode\":\"testing\",\"mxs\":[]},\"extra_results\":{\"wrap\":{\"name\":\"wr" \
    "ap\",\"status\":0,\"status_text\":\"Success\",\"description\":\"a check holding a host\"," \
    "\"messages\":[],\"checks\":{\"inner.example\":{\"name\":\"hostnames\"," \
    "\"domain\":\"kinds.example\",\"hostname\":\"inner.example\",\"address\":\"192.0.2.9\"," \
    "\"status\":0,\"status_text\":\"Success\",\"description\":\"\"," \
    "\"messages\":[],\"checks\":{\"innermost.example\":{\"name\":\"hostnames\"," \
    "\"domain\":\"kinds.example\",\"hostname\":\"innermost.example\"," \
    "\"status\":0,\"status_text\":\"Success\",\"description\":\"\"," \
    "\"messages\":[]}}}}},\"sub.example\":{\"name\":\"sub.example\"," \
    "\"status\":0,\"status_text\":\"Success\",\"description\":\"dom\"," \
    "\"messages\":[],\"checks\":{\"subsub\":{\"name\":\"subsub\",\"status\":0," \
    "\"status_text\":\"Success\",\"description\":\"\",\"messages\":[]}}}," \
    "\"mta_sts\":{\"name\":\"mta_sts\",\"status\":0,\"status_text\":\"Success\"," \
    "\"description\":\"second\",\"messages\":[],\"details\":{\"mode\":\"enforce\"," \
    "\"mx\":[\"x\"]}}}}"
#define KINDS_HOST \
    "{\"name\":\"hostnames\",\"hostname\":\"inner.example\",\"address\":\"192.0.2.9\"," \
    "\"status\":0,\"status_text\":\"Success\",\"description\":\"\"," \
    "\"messages\":[],\"checks\":{\"innermost.example\":{\"name\":\"hostnames\"," \
    "\"hostname\":\"innermost.example\",\"status\":0,\"status_text\":\"Success\"," \
    "\"description\":\"\",\"messages\":[]}}}"
#define KINDS_SUBDOMAIN \
    "{\"domain\":\"sub.example\",\"status\":0,\"status_text\":\"success\"," \
    "\"message\":\"\",\"mx_hosts\":[],\"preferred_hostnames\":[],\"implicit_mx\":false," \
    "\"null_mx\":false,\"results\":{},\"mta_sts\":null,\"extra_results\":{\"subsub\":{\"name\":\"" \
    "subsub\",\"status\":0,\"status_text\":\"Success\",\"description\":\"\"," \
    "\"messages\":[]}}}"
#define KINDS_MTASTS_ALONE \
    "{\"name\":\"mta_sts\",\"status\":0,\"status_text\":\"Success\"," \
    "\"description\":\"second\",\"messages\":[],\"details\":{\"mode\":\"enforce\"," \
    "\"mx\":[\"x\"]}}"
#define FACTS \
    "{\"domain\":\"facts.example\",\"status\":42,\"status_text\":\"error\"," \
    "\"message\":\"\",\"mx_hostnames\":[\"given.example\"],\"mx_hosts\":[\"abs.example.\"," \
    "\".\",\"rel.example.\"],\"preferred_hostnames\":[],\"implicit_mx\":false," \
    "\"null_mx\":true,\"results\":{\"h.example.\":{\"name\":\"hostnames\"," \
    "\"domain\":\"facts.example\",\"hostname\":\"h.example\",\"status\":0," \
    "\"status_text\":\"Success\",\"description\":\"\",\"messages\":[]," \
    "\"details\":{\"min\":-9223372036854775808,\"max\":9223372036854775807," \
    "\"zero\":0,\"t\":true,\"f\":false,\"hostname\":5,\"preference\":\"10\"," \
    "\"address\":true,\"empty\":[],\"s\":\"\"},\"checks\":{\"c\":{\"name\":\"c\"," \
    "\"status\":9,\"status_text\":\"Error\",\"description\":\"\",\"messages\":[]," \
    "\"result_type\":\"\"}}}},\"mta_sts\":{\"name\":\"mta-sts\",\"status\":0," \
    "\"status_text\":\"Success\",\"description\":\"\",\"messages\":[]," \
    "\"policy\":\"\",\"mode\":\"\",\"mxs\":[],\"details\":{\"policy\":3," \
    "\"mx\":\"not a list\",\"mxs\":[\"details, not the top\"],\"details\":\"a fact named details" \
    "\",\"checks\":\"a fact named checks\"}},\"extra_results\":{}," \
    "\"details\":{\"preferred_hostnames\":\"not a list\",\"implicit_mx\":1}}"
#define DUP_CHILDREN \
    "{\"name\":\"dup\",\"status\":0,\"status_text\":\"Success\",\"description\":\"\"," \
    "\"messages\":[],\"checks\":{\"x\":{\"name\":\"x\",\"status\":0," \
    "\"status_text\":\"Success\",\"description\":\"third x\",\"messages\":[\"last\"]}," \
    "\"y\":{\"name\":\"y\",\"status\":0,\"status_text\":\"Success\"," \
    "\"description\":\"y\",\"messages\":[]},\"\":{\"name\":\"\",\"status\":0," \
    "\"status_text\":\"Success\",\"description\":\"empty name again\"," \
    "\"messages\":[]},\"z\":{\"name\":\"z\",\"status\":0,\"status_text\":\"Success\"," \
    "\"description\":\"z\",\"messages\":[]}}}"
#define DUP_HOSTS \
    "{\"domain\":\"dups.example\",\"status\":0,\"status_text\":\"success\"," \
    "\"message\":\"\",\"mx_hosts\":[],\"preferred_hostnames\":[],\"implicit_mx\":false," \
    "\"null_mx\":false,\"results\":{\"mx.a.\":{\"name\":\"hostnames\"," \
    "\"domain\":\"dups.example\",\"hostname\":\"mx.a\",\"status\":0," \
    "\"status_text\":\"Success\",\"description\":\"third mx.a\",\"messages\":[]}," \
    "\"mx.b.\":{\"name\":\"hostnames\",\"domain\":\"dups.example\"," \
    "\"hostname\":\"mx.b.\",\"status\":0,\"status_text\":\"Success\"," \
    "\"description\":\"mx.b.\",\"messages\":[]},\".\":{\"name\":\"hostnames\"," \
    "\"domain\":\"dups.example\",\"hostname\":\".\",\"status\":0,\"status_text\":\"Success\"," \
    "\"description\":\"a lone dot\",\"messages\":[]},\"mx.a..\":{\"name\":\"hostnames\"," \
    "\"domain\":\"dups.example\",\"hostname\":\"mx.a..\",\"status\":0," \
    "\"status_text\":\"Success\",\"description\":\"two dots: another key\"," \
    "\"messages\":[]}},\"mta_sts\":{\"name\":\"mta-sts\",\"status\":0," \
    "\"status_text\":\"Success\",\"description\":\"the mta_sts node\"," \
    "\"messages\":[],\"policy\":\"\",\"mode\":\"\",\"mxs\":[]},\"extra_results\":{\"tls-rpt\":{\"" \
    "name\":\"tls-rpt\",\"status\":0,\"status_text\":\"Success\",\"description\":\"second tls-rp" \
    "t\",\"messages\":[]},\"mta_sts\":{\"name\":\"mta_sts\",\"status\":0," \
    "\"status_text\":\"Success\",\"description\":\"third mta_sts\"," \
    "\"messages\":[]}}}"
#define HOSTILE \
    "{\"name\":\"\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\\u000e\\" \
    "u000f\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b\\" \
    "u001c\\u001d\\u001e\\u001f\\u007f\\\"\\\\/\",\"status\":0,\"status_text\":\"Success\"," \
    "\"description\":\"\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\\" \
    "u000e\\u000f\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\" \
    "u001b\\u001c\\u001d\\u001e\\u001f\\u007f\\\"\\\\/\",\"messages\":[\"\\u0001\\u0002\\u0003\\" \
    "u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f\\u0010\\u0011\\u0012\\u0013\\" \
    "u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f\\u007f\\" \
    "\"\\\\/\",\"\\u0080|\\u07ff|\\u0800|\\ud7ff|\\ue000|\\uffff|\\ud800\\udc00|\\udbff\\udfff\"" \
    ",\"\\udc80|\\udcbf|\\udcc0\\udc80|\\udcc1\\udcbf|\\udce0\\udc9f\\udcbf|\\udced\\udca0\\udc8" \
    "0|\\udced\\udcbf\\udcbf|\\udcf0\\udc8f\\udcbf\\udcbf|\\udcf4\\udc90\\udc80\\udc80|\\udcf5\\" \
    "udc80\\udc80\\udc80|\\udcf8|\\udcfe|\\udcff|\\udcc3|\\udce2\\udc82|\\udcf0\\udc9f\\udc98|\\" \
    "udcc3\\u00e9|\\udce2(\\udca1|\\udcf0\\udc9f(\\udc80\",\"end\\udcc3\"," \
    "\"end\\udcf0\\udc9f\\udc98\"],\"result_type\":\"\\udcff\\\"type\\\"\"," \
    "\"recommendations\":[\"\\udc80|\\udcbf|\\udcc0\\udc80|\\udcc1\\udcbf|\\udce0\\udc9f\\udcbf|" \
    "\\udced\\udca0\\udc80|\\udced\\udcbf\\udcbf|\\udcf0\\udc8f\\udcbf\\udcbf|\\udcf4\\udc90\\ud" \
    "c80\\udc80|\\udcf5\\udc80\\udc80\\udc80|\\udcf8|\\udcfe|\\udcff|\\udcc3|\\udce2\\udc82|\\ud" \
    "cf0\\udc9f\\udc98|\\udcc3\\u00e9|\\udce2(\\udca1|\\udcf0\\udc9f(\\udc80\"]," \
    "\"details\":{\"\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\\u00" \
    "0e\\u000f\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u00" \
    "1b\\u001c\\u001d\\u001e\\u001f\\u007f\\\"\\\\/\":\"\\u0080|\\u07ff|\\u0800|\\ud7ff|\\ue000|" \
    "\\uffff|\\ud800\\udc00|\\udbff\\udfff\",\"\\udc80|\\udcbf|\\udcc0\\udc80|\\udcc1\\udcbf|\\u" \
    "dce0\\udc9f\\udcbf|\\udced\\udca0\\udc80|\\udced\\udcbf\\udcbf|\\udcf0\\udc8f\\udcbf\\udcbf" \
    "|\\udcf4\\udc90\\udc80\\udc80|\\udcf5\\udc80\\udc80\\udc80|\\udcf8|\\udcfe|\\udcff|\\udcc3|" \
    "\\udce2\\udc82|\\udcf0\\udc9f\\udc98|\\udcc3\\u00e9|\\udce2(\\udca1|\\udcf0\\udc9f(\\udc80\"" \
    ":\"\\udc80|\\udcbf|\\udcc0\\udc80|\\udcc1\\udcbf|\\udce0\\udc9f\\udcbf|\\udced\\udca0\\udc8" \
    "0|\\udced\\udcbf\\udcbf|\\udcf0\\udc8f\\udcbf\\udcbf|\\udcf4\\udc90\\udc80\\udc80|\\udcf5\\" \
    "udc80\\udc80\\udc80|\\udcf8|\\udcfe|\\udcff|\\udcc3|\\udce2\\udc82|\\udcf0\\udc9f\\udc98|\\" \
    "udcc3\\u00e9|\\udce2(\\udca1|\\udcf0\\udc9f(\\udc80\",\"\\udcc3\":[\"end\\udcf0\\udc9f\\udc" \
    "98\",\"\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\\u000e\\u000" \
    "f\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b\\u001" \
    "c\\u001d\\u001e\\u001f\\u007f\\\"\\\\/\"]},\"checks\":{\"\\udc80|\\udcbf|\\udcc0\\udc80|\\u" \
    "dcc1\\udcbf|\\udce0\\udc9f\\udcbf|\\udced\\udca0\\udc80|\\udced\\udcbf\\udcbf|\\udcf0\\udc8" \
    "f\\udcbf\\udcbf|\\udcf4\\udc90\\udc80\\udc80|\\udcf5\\udc80\\udc80\\udc80|\\udcf8|\\udcfe|\\" \
    "udcff|\\udcc3|\\udce2\\udc82|\\udcf0\\udc9f\\udc98|\\udcc3\\u00e9|\\udce2(\\udca1|\\udcf0\\" \
    "udc9f(\\udc80\":{\"name\":\"\\udc80|\\udcbf|\\udcc0\\udc80|\\udcc1\\udcbf|\\udce0\\udc9f\\u" \
    "dcbf|\\udced\\udca0\\udc80|\\udced\\udcbf\\udcbf|\\udcf0\\udc8f\\udcbf\\udcbf|\\udcf4\\udc9" \
    "0\\udc80\\udc80|\\udcf5\\udc80\\udc80\\udc80|\\udcf8|\\udcfe|\\udcff|\\udcc3|\\udce2\\udc82" \
    "|\\udcf0\\udc9f\\udc98|\\udcc3\\u00e9|\\udce2(\\udca1|\\udcf0\\udc9f(\\udc80\"," \
    "\"status\":0,\"status_text\":\"Success\",\"description\":\"\\u0080|\\u07ff|\\u0800|\\ud7ff|" \
    "\\ue000|\\uffff|\\ud800\\udc00|\\udbff\\udfff\",\"messages\":[]}," \
    "\"end\\udcf0\\udc9f\\udc98\":{\"name\":\"end\\udcf0\\udc9f\\udc98\"," \
    "\"status\":0,\"status_text\":\"Success\",\"description\":\"\"," \
    "\"messages\":[]}}}"
#define HOSTILE_ROOT \
    "{\"domain\":\"\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\\u000" \
    "e\\u000f\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001" \
    "b\\u001c\\u001d\\u001e\\u001f\\u007f\\\"\\\\/\",\"status\":0," \
    "\"status_text\":\"success\",\"message\":\"\",\"mx_hostnames\":[\"\\udc80|\\udcbf|\\udcc0\\u" \
    "dc80|\\udcc1\\udcbf|\\udce0\\udc9f\\udcbf|\\udced\\udca0\\udc80|\\udced\\udcbf\\udcbf|\\udc" \
    "f0\\udc8f\\udcbf\\udcbf|\\udcf4\\udc90\\udc80\\udc80|\\udcf5\\udc80\\udc80\\udc80|\\udcf8|\\" \
    "udcfe|\\udcff|\\udcc3|\\udce2\\udc82|\\udcf0\\udc9f\\udc98|\\udcc3\\u00e9|\\udce2(\\udca1|\\" \
    "udcf0\\udc9f(\\udc80\"],\"mx_hosts\":[\"end\\udcc3.\",\"end\\udcf0\\udc9f\\udc98.\"]," \
    "\"preferred_hostnames\":[\"\\ud83d\\ude00.\"],\"implicit_mx\":false," \
    "\"null_mx\":false,\"results\":{\"end\\udcc3.\":{\"name\":\"hostnames\"," \
    "\"domain\":\"\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\\u000e" \
    "\\u000f\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b" \
    "\\u001c\\u001d\\u001e\\u001f\\u007f\\\"\\\\/\",\"hostname\":\"end\\udcc3\"," \
    "\"status\":0,\"status_text\":\"Success\",\"description\":\"\"," \
    "\"messages\":[]},\"end\\udcf0\\udc9f\\udc98.\":{\"name\":\"hostnames\"," \
    "\"domain\":\"\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\\u000e" \
    "\\u000f\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b" \
    "\\u001c\\u001d\\u001e\\u001f\\u007f\\\"\\\\/\",\"hostname\":\"end\\udcf0\\udc9f\\udc98\"," \
    "\"status\":0,\"status_text\":\"Success\",\"description\":\"\"," \
    "\"messages\":[]},\"\\u20ac.\":{\"name\":\"hostnames\",\"domain\":\"\\u0001\\u0002\\u0003\\u" \
    "0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f\\u0010\\u0011\\u0012\\u0013\\" \
    "u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f\\u007f\\" \
    "\"\\\\/\",\"hostname\":\"\\u20ac.\",\"status\":0,\"status_text\":\"Success\"," \
    "\"description\":\"\",\"messages\":[]}},\"mta_sts\":null,\"extra_results\":{}}"

static struct stc_result *add_host(struct stc_result *root, const char *name, long long pref,
                                   const char *addr)
{
    struct stc_result *h = result_add(root, result_new(STC_NODE_HOST, name, "MX host checks"));
    result_fact_str(h, "domain", "example.com");
    result_fact_str(h, "hostname", name);
    result_fact_int(h, "preference", pref);
    result_fact_str(h, "address", addr);
    result_fact_bool(h, "connected", 1);
    result_add_check(h, "connectivity", "TCP connection to port 25");
    return h;
}

/* example.com: two hosts (the second with an expired certificate and TLS 1.1),
 * MTA-STS with a nested node, TLS-RPT. */
static struct stc_result *sample_tree(void)
{
    struct stc_result *root = result_new(STC_NODE_DOMAIN, "example.com", NULL);
    result_msg(root, STC_STATUS_FAILURE, "mx2.example.com has an expired certificate");
    result_note(root, "second root message");
    result_fact_list_add(root, "mx_hosts", "mx1.example.com");
    result_fact_list_add(root, "mx_hosts", "mx2.example.com");
    result_fact_list_add(root, "preferred_hostnames", "mx1.example.com");
    result_fact_bool(root, "implicit_mx", 0);
    result_fact_bool(root, "null_mx", 0);
    result_fact_bool(root, "dnssec", 1);
    result_set_domain_status(root, STC_DOMAIN_FAILURE);

    struct stc_result *h1 = add_host(root, "mx1.example.com", 10, "192.0.2.1");
    struct stc_result *c = result_add_check(h1, "starttls", "STARTTLS offered and working");
    result_fact_bool(c, "advertised", 1);
    result_fact_bool(c, "handshake", 1);
    c = result_add_check(h1, "certificate", "certificate valid for the host");
    result_fact_bool(c, "valid", 1);
    result_fact_int(c, "days_to_expiry", 80);
    c = result_add_check(h1, "version", "TLS version");
    result_fact_str(c, "negotiated", "TLSv1.3");
    result_fact_int(c, "negotiated_code", 0x0304);
    c = result_add_check(h1, "cipher", "cipher suite");
    result_fact_str(c, "negotiated", "TLS_AES_256_GCM_SHA384");

    struct stc_result *h2 = add_host(root, "mx2.example.com", 20, "192.0.2.2");
    c = result_add_check(h2, "starttls", "STARTTLS offered and working");
    result_fact_bool(c, "advertised", 1);
    c = result_add_check(h2, "certificate", "certificate valid for the host");
    result_msg(c, STC_STATUS_FAILURE, "certificate expired 3 days ago");
    result_set_type(c, "certificate-expired");
    result_recommend(c, "Renew the certificate of mx2.example.com.");
    result_fact_bool(c, "valid", 0);
    result_fact_int(c, "days_to_expiry", -3);
    c = result_add_check(h2, "version", "TLS version");
    result_msg(c, STC_STATUS_WARNING, "negotiated TLSv1.1");
    result_fact_str(c, "negotiated", "TLSv1.1");

    struct stc_result *m = result_add_check(root, "mta_sts", "MTA-STS (RFC 8461)");
    result_fact_str(m, "policy", "version: STSv1\r\nmode: enforce\r\n");
    result_fact_str(m, "mode", "enforce");
    result_fact_int(m, "max_age", 604800);
    result_fact_list_add(m, "mx", "*.example.com");
    result_fact_list(m, "empty_list");
    struct stc_result *p = result_add_check(m, "policy", "policy file");
    result_note(p, "policy fetched");

    struct stc_result *t = result_add_check(root, "tls-rpt", "TLS-RPT (RFC 8460)");
    result_msg(t, STC_STATUS_WARNING, "no TLS-RPT record");
    result_recommend(t, "Publish a TLS-RPT record.");

    result_rollup(root);
    assert_false(result_oom(root));
    return root;
}

static json_t *to_json(const struct stc_result *r, unsigned flags, char **text)
{
    struct stc_err err = {0};
    char *s = NULL;
    assert_int_equal(stc_result_to_json(r, flags, &s, &err), STC_OK);
    assert_non_null(s);
    json_error_t jerr;
    json_t *j = json_loads(s, JSON_REJECT_DUPLICATES, &jerr);
    if (j == NULL)
        fail_msg("output is not JSON: %s\n%s", jerr.text, s);
    if (text != NULL)
        *text = s;
    else
        free(s);
    return j;
}

static void assert_str_key(json_t *o, const char *key, const char *want)
{
    json_t *v = json_object_get(o, key);
    if (v == NULL || !json_is_string(v))
        fail_msg("key %s missing or not a string", key);
    assert_string_equal(json_string_value(v), want);
}

static void assert_int_key(json_t *o, const char *key, long long want)
{
    json_t *v = json_object_get(o, key);
    if (v == NULL || !json_is_integer(v))
        fail_msg("key %s missing or not an integer", key);
    assert_int_equal(json_integer_value(v), want);
}

static void assert_bool_key(json_t *o, const char *key, int want)
{
    json_t *v = json_object_get(o, key);
    if (v == NULL || !json_is_boolean(v))
        fail_msg("key %s missing or not a boolean", key);
    assert_int_equal(json_is_true(v), want);
}

static void assert_str_array(json_t *a, size_t n, ...)
{
    assert_non_null(a);
    assert_true(json_is_array(a));
    assert_int_equal(json_array_size(a), n);
    va_list ap;
    va_start(ap, n);
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_array_get(a, i);
        assert_true(json_is_string(v));
        assert_string_equal(json_string_value(v), va_arg(ap, const char *));
    }
    va_end(ap);
}

/* The keys of o, in order, are exactly the NULL-terminated list. */
static void assert_keys(json_t *o, ...)
{
    va_list ap;
    va_start(ap, o);
    void *it = json_object_iter(o);
    const char *want;
    while ((want = va_arg(ap, const char *)) != NULL) {
        if (it == NULL)
            fail_msg("key %s missing", want);
        assert_string_equal(json_object_iter_key(it), want);
        it = json_object_iter_next(o, it);
    }
    va_end(ap);
    if (it != NULL)
        fail_msg("unexpected key %s", json_object_iter_key(it));
}

static void test_domain_object(void **state)
{
    (void)state;
    struct stc_result *root = sample_tree();
    json_t *j = to_json(root, 0, NULL);

    assert_keys(j, "domain", "status", "status_text", "message", "mx_hosts",
                "preferred_hostnames", "implicit_mx", "null_mx", "results", "mta_sts",
                "extra_results", "details", NULL);
    assert_str_key(j, "domain", "example.com");
    assert_int_key(j, "status", 2);
    assert_str_key(j, "status_text", "failure");
    assert_str_key(j, "message", "mx2.example.com has an expired certificate");
    /* Host names that key results are absolute, as the original writes them. */
    assert_str_array(json_object_get(j, "mx_hosts"), 2, "mx1.example.com.", "mx2.example.com.");
    assert_str_array(json_object_get(j, "preferred_hostnames"), 1, "mx1.example.com.");
    assert_bool_key(j, "implicit_mx", 0);
    assert_bool_key(j, "null_mx", 0);
    json_t *details = json_object_get(j, "details");
    assert_keys(details, "dnssec", NULL);
    assert_bool_key(details, "dnssec", 1);

    json_t *results = json_object_get(j, "results");
    assert_keys(results, "mx1.example.com.", "mx2.example.com.", NULL);

    json_t *h1 = json_object_get(results, "mx1.example.com.");
    assert_keys(h1, "name", "domain", "hostname", "preference", "address", "status", "status_text",
                "description", "messages", "details", "checks", NULL);
    assert_str_key(h1, "name", "hostnames");
    assert_str_key(h1, "domain", "example.com");
    assert_str_key(h1, "hostname", "mx1.example.com");
    assert_int_key(h1, "preference", 10);
    assert_str_key(h1, "address", "192.0.2.1");
    assert_int_key(h1, "status", 0);
    assert_str_key(h1, "status_text", "Success");
    assert_str_key(h1, "description", "MX host checks");
    assert_str_array(json_object_get(h1, "messages"), 0);
    assert_keys(json_object_get(h1, "details"), "connected", NULL);
    assert_bool_key(json_object_get(h1, "details"), "connected", 1);
    json_t *checks = json_object_get(h1, "checks");
    assert_keys(checks, "connectivity", "starttls", "certificate", "version", "cipher", NULL);

    json_t *conn = json_object_get(checks, "connectivity");
    assert_keys(conn, "name", "status", "status_text", "description", "messages", NULL);
    assert_str_key(conn, "name", "connectivity");
    assert_str_key(conn, "description", "TCP connection to port 25");

    json_t *st = json_object_get(checks, "starttls");
    assert_bool_key(json_object_get(st, "details"), "advertised", 1);
    assert_bool_key(json_object_get(st, "details"), "handshake", 1);
    json_t *cert = json_object_get(checks, "certificate");
    assert_bool_key(json_object_get(cert, "details"), "valid", 1);
    assert_int_key(json_object_get(cert, "details"), "days_to_expiry", 80);
    json_t *ver = json_object_get(checks, "version");
    assert_str_key(json_object_get(ver, "details"), "negotiated", "TLSv1.3");
    assert_int_key(json_object_get(ver, "details"), "negotiated_code", 0x0304);
    assert_str_key(json_object_get(json_object_get(checks, "cipher"), "details"), "negotiated",
                   "TLS_AES_256_GCM_SHA384");

    json_t *h2 = json_object_get(results, "mx2.example.com.");
    assert_int_key(h2, "preference", 20);
    assert_int_key(h2, "status", 2);
    assert_str_key(h2, "status_text", "Failure");
    cert = json_object_get(json_object_get(h2, "checks"), "certificate");
    assert_keys(cert, "name", "status", "status_text", "description", "messages", "result_type",
                "recommendations", "details", NULL);
    assert_int_key(cert, "status", 2);
    assert_str_key(cert, "result_type", "certificate-expired");
    assert_str_array(json_object_get(cert, "messages"), 1, "certificate expired 3 days ago");
    assert_str_array(json_object_get(cert, "recommendations"), 1,
                     "Renew the certificate of mx2.example.com.");
    assert_bool_key(json_object_get(cert, "details"), "valid", 0);
    assert_int_key(json_object_get(cert, "details"), "days_to_expiry", -3);
    ver = json_object_get(json_object_get(h2, "checks"), "version");
    assert_int_key(ver, "status", 1);
    assert_str_key(ver, "status_text", "Warning");

    json_t *m = json_object_get(j, "mta_sts");
    assert_true(json_is_object(m));
    /* The original's mta-sts node: policy, mode and mxs at its top level. */
    assert_keys(m, "name", "status", "status_text", "description", "messages", "policy", "mode",
                "mxs", "details", "checks", NULL);
    assert_str_key(m, "name", "mta-sts");
    assert_str_key(m, "policy", "version: STSv1\r\nmode: enforce\r\n");
    assert_str_key(m, "mode", "enforce");
    assert_str_array(json_object_get(m, "mxs"), 1, "*.example.com");
    json_t *md = json_object_get(m, "details");
    assert_keys(md, "max_age", "empty_list", NULL);
    assert_int_key(md, "max_age", 604800);
    assert_str_array(json_object_get(md, "empty_list"), 0);
    json_t *pol = json_object_get(json_object_get(m, "checks"), "policy");
    assert_str_array(json_object_get(pol, "messages"), 1, "policy fetched");

    json_t *extra = json_object_get(j, "extra_results");
    assert_keys(extra, "tls-rpt", NULL);
    json_t *t = json_object_get(extra, "tls-rpt");
    assert_int_key(t, "status", 1);
    assert_str_array(json_object_get(t, "recommendations"), 1, "Publish a TLS-RPT record.");

    json_decref(j);
    stc_result_free(root);
}

static void test_pretty_and_compact(void **state)
{
    (void)state;
    struct stc_result *root = sample_tree();
    char *pretty = NULL, *compact = NULL;
    json_t *a = to_json(root, 0, &pretty);
    json_t *b = to_json(root, STC_JSON_COMPACT, &compact);
    assert_true(json_equal(a, b));
    assert_null(strchr(compact, '\n'));
    assert_non_null(strstr(pretty, "\n  \"domain\": \"example.com\""));
    assert_true(strlen(compact) < strlen(pretty));
    free(pretty);
    free(compact);
    json_decref(a);
    json_decref(b);
    stc_result_free(root);
}

/* A bare root: defaults for missing facts, mta_sts null, empty objects. */
static void test_empty_domain(void **state)
{
    (void)state;
    struct stc_result *root = result_new(STC_NODE_DOMAIN, "empty.example", NULL);
    result_fact_bool(root, "null_mx", 1);
    result_set_domain_status(root, STC_DOMAIN_COULD_NOT_CONNECT);
    json_t *j = to_json(root, 0, NULL);
    assert_keys(j, "domain", "status", "status_text", "message", "mx_hosts",
                "preferred_hostnames", "implicit_mx", "null_mx", "results", "mta_sts",
                "extra_results", NULL);
    assert_int_key(j, "status", 5);
    assert_str_key(j, "status_text", "could_not_connect");
    assert_str_key(j, "message", "");
    assert_str_array(json_object_get(j, "mx_hosts"), 0);
    assert_str_array(json_object_get(j, "preferred_hostnames"), 0);
    assert_bool_key(j, "implicit_mx", 0);
    assert_bool_key(j, "null_mx", 1);
    assert_true(json_is_null(json_object_get(j, "mta_sts")));
    assert_int_equal(json_object_size(json_object_get(j, "results")), 0);
    assert_int_equal(json_object_size(json_object_get(j, "extra_results")), 0);
    json_decref(j);
    stc_result_free(root);
}

/* Host and check nodes serialize on their own too. */
static void test_host_and_check_alone(void **state)
{
    (void)state;
    struct stc_result *root = sample_tree();
    const struct stc_result *h2 = stc_result_find(root, "mx2.example.com");
    json_t *j = to_json(h2, 0, NULL);
    assert_str_key(j, "name", "hostnames");
    assert_str_key(j, "hostname", "mx2.example.com");
    assert_str_key(j, "domain", "example.com");
    assert_str_key(j, "address", "192.0.2.2");
    assert_int_key(j, "status", 2);
    json_decref(j);

    j = to_json(stc_result_find(h2, "certificate"), STC_JSON_COMPACT, NULL);
    assert_str_key(j, "name", "certificate");
    assert_str_key(j, "result_type", "certificate-expired");
    assert_null(json_object_get(j, "domain"));
    json_decref(j);
    stc_result_free(root);

    /* A host without a "domain" fact and without a root: no domain key. */
    struct stc_result *h = result_new(STC_NODE_HOST, "lonely.example", NULL);
    j = to_json(h, 0, NULL);
    assert_null(json_object_get(j, "domain"));
    assert_null(json_object_get(j, "preference"));
    assert_null(json_object_get(j, "address"));
    assert_null(json_object_get(j, "details"));
    assert_null(json_object_get(j, "checks"));
    json_decref(j);
    stc_result_free(h);
}

/* A host under a root takes the root's name when it has no "domain" fact. */
static void test_host_domain_from_root(void **state)
{
    (void)state;
    struct stc_result *root = result_new(STC_NODE_DOMAIN, "root.example", NULL);
    result_add(root, result_new(STC_NODE_HOST, "mx.root.example", NULL));
    json_t *j = to_json(root, 0, NULL);
    json_t *h = json_object_get(json_object_get(j, "results"), "mx.root.example.");
    assert_str_key(h, "domain", "root.example");
    json_decref(j);
    stc_result_free(root);
}

/* Server text reaches the JSON exactly: CR LF, a tab, an ESC byte as JSON
 * escapes; bytes that are not UTF-8 as lone surrogates \udcXX (lossless);
 * the same for names and descriptions. The output stays ASCII without raw
 * control bytes. */
static void test_exact_text(void **state)
{
    (void)state;
    struct stc_result *root = result_new(STC_NODE_DOMAIN, "example.com", NULL);
    struct stc_result *h = result_add(root, result_new(STC_NODE_HOST, "mx.example.com", NULL));
    struct stc_result *c = result_add_check(h, "starttls", "desc \xff\xfe end");
    result_msg(c, STC_STATUS_FAILURE, "banner: %s", "220 hi\t\x01\x1b[31m\xff\r\nX\\y\"");
    result_fact_str(c, "banner", "a\x7f\xc3\x28 \xe2\x82\xac \xf0\x9f\x98\x80 \xed\xa0\x80");
    result_fact_list_add(c, "lines", "v=STSv1;\tid=1\r\n");
    result_add_check(h, "bad\xffname\x01", NULL);
    assert_false(result_oom(root));

    char *text = NULL;
    struct stc_err err = {0};
    assert_int_equal(stc_result_to_json(root, STC_JSON_COMPACT, &text, &err), STC_OK);
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        if (*p < 0x20 || *p >= 0x7f)
            fail_msg("raw byte 0x%02x in output", *p);
    assert_non_null(
        strstr(text, "\"messages\":[\"banner: 220 hi\\t\\u0001\\u001b[31m\\udcff\\r\\nX\\\\y\\\"\"]"));
    assert_non_null(strstr(text, "\"description\":\"desc \\udcff\\udcfe end\""));
    /* DEL escaped; C3 28 is not UTF-8 (C3 alone); the euro sign and U+1F600
     * are valid; ED A0 80 (an encoded surrogate) is not. */
    assert_non_null(strstr(text, "\"banner\":\"a\\u007f\\udcc3( \\u20ac \\ud83d\\ude00 "
                                 "\\udced\\udca0\\udc80\""));
    assert_non_null(strstr(text, "\"lines\":[\"v=STSv1;\\tid=1\\r\\n\"]"));
    assert_non_null(strstr(text, "\"bad\\udcffname\\u0001\":{\"name\":\"bad\\udcffname\\u0001\""));
    free(text);

    /* Valid UTF-8 text round-trips through a strict parser unchanged. */
    struct stc_result *v = result_new(STC_NODE_CHECK, "v", NULL);
    result_note(v, "%s", "250 ok\r\n\tgr\xc3\xbc\xc3\x9f \x1b[0m");
    json_t *j = to_json(v, 0, NULL);
    assert_str_array(json_object_get(j, "messages"), 1, "250 ok\r\n\tgr\xc3\xbc\xc3\x9f \x1b[0m");
    json_decref(j);
    stc_result_free(v);
    stc_result_free(root);
}

/* Valid UTF-8 (e.g. a U-label in a description) keeps its meaning. */
static void test_utf8_passes(void **state)
{
    (void)state;
    struct stc_result *c = result_new(STC_NODE_CHECK, "x",
                                      "b\xc3\xbc"
                                      "cher \xc2\x9b");
    char *text = NULL;
    json_t *j = to_json(c, 0, &text);
    assert_str_key(j, "description",
                   "b\xc3\xbc"
                   "cher \xc2\x9b");
    /* Written as \u escapes: the output itself is ASCII (no raw C1 CSI). */
    assert_non_null(strstr(text, "b\\u00fccher \\u009b"));
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        assert_true(*p < 0x80);
    free(text);
    json_decref(j);
    stc_result_free(c);
}

static void test_bad_args(void **state)
{
    (void)state;
    struct stc_err err = {0};
    char *s = NULL;
    assert_int_equal(stc_result_to_json(NULL, 0, &s, &err), STC_E_INVAL);
    assert_int_equal(err.code, STC_E_INVAL);
    assert_null(s);
    struct stc_result *c = result_new(STC_NODE_CHECK, "x", NULL);
    stc_err_clear(&err);
    assert_int_equal(stc_result_to_json(c, 0, NULL, &err), STC_E_INVAL);
    stc_result_free(c);
}

/* A tree nested past the depth limit is refused, not overflowed. */
static void test_too_deep(void **state)
{
    (void)state;
    struct stc_result *root = result_new(STC_NODE_CHECK, "n0", NULL);
    struct stc_result *n = root;
    for (int i = 1; i < 100; i++)
        n = result_add_check(n, "n", NULL);
    struct stc_err err = {0};
    char *s = NULL;
    assert_int_equal(stc_result_to_json(root, 0, &s, &err), STC_E_LIMIT);
    assert_null(s);
    assert_non_null(strstr(err.msg, "deeper"));
    stc_result_free(root);
}

/* ---- Exact text: the bytes of the output, pinned. ---- */

/* Print s as a C string literal (to paste as the expected text). */
static void print_literal(const char *s)
{
    fputs("    \"", stderr);
    size_t col = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            col += (size_t)fprintf(stderr, "\\%c", *p);
        else if (*p == '\n')
            col += (size_t)fprintf(stderr, "\\n");
        else if (*p < 0x20 || *p >= 0x7f)
            col += (size_t)fprintf(stderr, "\\x%02x\"\"", *p);
        else
            col += (size_t)fprintf(stderr, "%c", *p);
        /* Break after a comma or a newline, at the latest at 90 columns. */
        if ((col > 60 && *p == ',') || col > 90 || *p == '\n') {
            fputs("\"\n    \"", stderr);
            col = 0;
        }
    }
    fputs("\"\n", stderr);
}

/* stc_result_to_json(r, flags) is exactly want. */
static void assert_json_text(const struct stc_result *r, unsigned flags, const char *want)
{
    struct stc_err err = {0};
    char *s = NULL;
    stc_rc rc = stc_result_to_json(r, flags, &s, &err);
    if (rc != STC_OK)
        fail_msg("stc_result_to_json: rc %d: %s", (int)rc, err.msg);
    if (strcmp(s, want) != 0) {
        size_t i = 0;
        while (s[i] != '\0' && s[i] == want[i])
            i++;
        fprintf(stderr, "output differs at byte %zu; the output is:\n", i);
        print_literal(s);
        free(s);
        fail_msg("JSON text differs");
    }
    free(s);
}

/* stc_result_to_json(r, flags) fails with rc and a message holding msg. */
static void assert_json_fails(const struct stc_result *r, unsigned flags, stc_rc want,
                              const char *msg)
{
    struct stc_err err = {0};
    char *s = NULL;
    stc_rc rc = stc_result_to_json(r, flags, &s, &err);
    if (rc != want)
        fail_msg("rc %d (want %d): %s", (int)rc, (int)want, err.msg);
    assert_null(s);
    assert_int_equal(err.code, want);
    if (strstr(err.msg, msg) == NULL)
        fail_msg("message \"%s\" lacks \"%s\"", err.msg, msg);
}

/* The whole sample tree, on one line. */
static void test_text_sample_compact(void **state)
{
    (void)state;
    struct stc_result *root = sample_tree();
    assert_json_text(root, STC_JSON_COMPACT, SAMPLE_COMPACT);
    stc_result_free(root);
}

/* A small domain, indented: two spaces a level, ": " after keys, empty
 * containers as {} and [], no newline at the end. */
static void test_text_indented(void **state)
{
    (void)state;
    struct stc_result *root = result_new(STC_NODE_DOMAIN, "ind.example", NULL);
    result_msg(root, STC_STATUS_WARNING, "one host");
    result_set_domain_status(root, STC_DOMAIN_WARNING);
    result_fact_list(root, "mx_hosts");
    result_fact_list_add(root, "mx_hosts", "mx.ind.example");
    result_fact_list(root, "preferred_hostnames");
    result_fact_bool(root, "implicit_mx", 1);
    result_recommend(root, "Fix it.");
    result_fact_int(root, "n", -7);
    result_fact_list(root, "none");
    struct stc_result *h = result_add(root, result_new(STC_NODE_HOST, "mx.ind.example", "host"));
    result_fact_int(h, "preference", 0);
    struct stc_result *c = result_add_check(h, "starttls", "");
    result_msg(c, STC_STATUS_WARNING, "slow");
    result_fact_list_add(c, "l", "a");
    result_fact_list_add(c, "l", "b");
    result_add_check(root, "tls-rpt", "TLS-RPT");
    assert_false(result_oom(root));
    assert_json_text(root, 0, INDENTED);
    stc_result_free(root);
}

/* Every node kind in every place: a host under a check, a domain-kind
 * node below the root (a check there), an mta_sts node that is a host, a
 * second mta_sts check (an extra result), host and check roots. */
static void test_text_node_kinds(void **state)
{
    (void)state;
    struct stc_result *root = result_new(STC_NODE_DOMAIN, "kinds.example", NULL);
    struct stc_result *c = result_add_check(root, "wrap", "a check holding a host");
    struct stc_result *h = result_add(c, result_new(STC_NODE_HOST, "inner.example", NULL));
    result_fact_str(h, "address", "192.0.2.9");
    result_add(h, result_new(STC_NODE_HOST, "innermost.example", NULL));
    struct stc_result *d = result_add(root, result_new(STC_NODE_DOMAIN, "sub.example", "dom"));
    result_add(d, result_new(STC_NODE_DOMAIN, "subsub", NULL));
    result_add(root, result_new(STC_NODE_HOST, "mta_sts", "a host named mta_sts"));
    struct stc_result *m1 = result_add_check(root, "mta_sts", "first");
    result_fact_str(m1, "mode", "testing");
    struct stc_result *m2 = result_add_check(root, "mta_sts", "second");
    result_fact_str(m2, "mode", "enforce");
    result_fact_list_add(m2, "mx", "x");
    assert_false(result_oom(root));
    assert_json_text(root, STC_JSON_COMPACT, KINDS_ROOT);
    /* The same nodes as roots of their own. */
    assert_json_text(h, STC_JSON_COMPACT, KINDS_HOST);
    assert_json_text(d, STC_JSON_COMPACT, KINDS_SUBDOMAIN);
    assert_json_text(m2, STC_JSON_COMPACT, KINDS_MTASTS_ALONE);
    stc_result_free(root);
}

/* Every fact type and value edge; promoted keys of the wrong type stay in
 * details; list items that are already absolute, or empty. */
static void test_text_facts(void **state)
{
    (void)state;
    struct stc_result *root = result_new(STC_NODE_DOMAIN, "facts.example", NULL);
    result_set_domain_status(root, (stc_domain_status)42);
    result_fact_list_add(root, "mx_hostnames", "given.example");
    result_fact_list_add(root, "mx_hosts", "abs.example.");
    result_fact_list_add(root, "mx_hosts", "");
    result_fact_list_add(root, "mx_hosts", "rel.example");
    result_fact_str(root, "preferred_hostnames", "not a list");
    result_fact_int(root, "implicit_mx", 1);
    result_fact_bool(root, "null_mx", 1);
    struct stc_result *h = result_add(root, result_new(STC_NODE_HOST, "h.example", NULL));
    result_fact_int(h, "min", (long long)(-9223372036854775807LL - 1));
    result_fact_int(h, "max", 9223372036854775807LL);
    result_fact_int(h, "zero", 0);
    result_fact_bool(h, "t", 1);
    result_fact_bool(h, "f", 0);
    result_fact_str(h, "domain", "");
    result_fact_int(h, "hostname", 5);
    result_fact_str(h, "preference", "10");
    result_fact_bool(h, "address", 1);
    result_fact_list(h, "empty");
    result_fact_str(h, "s", "");
    struct stc_result *m = result_add_check(root, "mta_sts", NULL);
    result_fact_int(m, "policy", 3);
    result_fact_str(m, "mx", "not a list");
    result_fact_list_add(m, "mxs", "details, not the top");
    result_fact_str(m, "details", "a fact named details");
    result_fact_str(m, "checks", "a fact named checks");
    struct stc_result *c = result_add_check(h, "c", NULL);
    result_set_type(c, "");
    result_raise(c, (stc_status)9);
    assert_false(result_oom(root));
    assert_json_text(root, STC_JSON_COMPACT, FACTS);
    stc_result_free(root);
}

/* Nothing at all: empty names, no facts, no children. */
static void test_text_empty(void **state)
{
    (void)state;
    struct stc_result *root = result_new(STC_NODE_DOMAIN, NULL, NULL);
    assert_json_text(root, 0,
                     "{\n  \"domain\": \"\",\n  \"status\": 0,\n  \"status_text\": \"success\",\n"
                     "  \"message\": \"\",\n  \"mx_hosts\": [],\n  \"preferred_hostnames\": [],\n"
                     "  \"implicit_mx\": false,\n  \"null_mx\": false,\n  \"results\": {},\n"
                     "  \"mta_sts\": null,\n  \"extra_results\": {}\n}");
    assert_json_text(root, STC_JSON_COMPACT,
                     "{\"domain\":\"\",\"status\":0,\"status_text\":\"success\",\"message\":\"\","
                     "\"mx_hosts\":[],\"preferred_hostnames\":[],\"implicit_mx\":false,"
                     "\"null_mx\":false,\"results\":{},\"mta_sts\":null,\"extra_results\":{}}");
    stc_result_free(root);
    struct stc_result *c = result_new(STC_NODE_CHECK, NULL, NULL);
    assert_json_text(c, 0,
                     "{\n  \"name\": \"\",\n  \"status\": 0,\n  \"status_text\": \"Success\",\n"
                     "  \"description\": \"\",\n  \"messages\": []\n}");
    stc_result_free(c);
    struct stc_result *h = result_new(STC_NODE_HOST, NULL, NULL);
    assert_json_text(h, STC_JSON_COMPACT,
                     "{\"name\":\"hostnames\",\"hostname\":\"\",\"status\":0,\"status_text\":"
                     "\"Success\",\"description\":\"\",\"messages\":[]}");
    stc_result_free(h);
}

/* Children with one name under "checks": one key, at the first one's
 * place, holding the last one (a JSON object has each key once). */
static void test_text_duplicate_children(void **state)
{
    (void)state;
    struct stc_result *c = result_new(STC_NODE_CHECK, "dup", NULL);
    struct stc_result *x1 = result_add_check(c, "x", "first x");
    result_add_check(x1, "deep", "under the first x");
    result_add_check(c, "y", "y");
    result_add_check(c, "x", "second x");
    struct stc_result *x3 = result_add_check(c, "x", "third x");
    result_note(x3, "last");
    result_add_check(c, "", "empty name");
    result_add_check(c, "z", "z");
    result_add_check(c, "", "empty name again");
    assert_false(result_oom(c));
    assert_json_text(c, STC_JSON_COMPACT, DUP_CHILDREN);
    stc_result_free(c);
}

/* Hosts whose absolute names agree ("mx.a" and "mx.a.", "" and ".") are
 * one key of "results"; extra results and a second mta_sts likewise. */
static void test_text_duplicate_hosts(void **state)
{
    (void)state;
    struct stc_result *root = result_new(STC_NODE_DOMAIN, "dups.example", NULL);
    result_add(root, result_new(STC_NODE_HOST, "mx.a", "first mx.a"));
    result_add_check(root, "tls-rpt", "first tls-rpt");
    result_add(root, result_new(STC_NODE_HOST, "mx.b.", "mx.b."));
    result_add(root, result_new(STC_NODE_HOST, "mx.a.", "second mx.a"));
    result_add(root, result_new(STC_NODE_HOST, "", "empty"));
    result_add(root, result_new(STC_NODE_HOST, "mx.a..", "two dots: another key"));
    result_add_check(root, "mta_sts", "the mta_sts node");
    result_add_check(root, "mta_sts", "second mta_sts: an extra result");
    result_add_check(root, "tls-rpt", "second tls-rpt");
    result_add(root, result_new(STC_NODE_HOST, ".", "a lone dot"));
    result_add_check(root, "mta_sts", "third mta_sts");
    result_add(root, result_new(STC_NODE_HOST, "mx.a", "third mx.a"));
    assert_false(result_oom(root));
    assert_json_text(root, STC_JSON_COMPACT, DUP_HOSTS);
    stc_result_free(root);
}

/* A fact set twice is one fact: first place, last value and type. */
static void test_text_fact_set_twice(void **state)
{
    (void)state;
    struct stc_result *c = result_new(STC_NODE_CHECK, "f", NULL);
    result_fact_str(c, "a", "first");
    result_fact_int(c, "b", 1);
    result_fact_list_add(c, "l", "1");
    result_fact_bool(c, "a", 1);
    result_fact_list_add(c, "l", "2");
    result_fact_str(c, "b", "now a string");
    assert_false(result_oom(c));
    assert_json_text(c, STC_JSON_COMPACT,
                     "{\"name\":\"f\",\"status\":0,\"status_text\":\"Success\",\"description\":\"\","
                     "\"messages\":[],\"details\":{\"a\":true,\"b\":\"now a string\","
                     "\"l\":[\"1\",\"2\"]}}");
    stc_result_free(c);
}

/* Hostile bytes everywhere a string goes: every control byte, quote,
 * backslash, DEL, invalid UTF-8 of every kind, the UTF-8 range edges. */
static void test_text_hostile_strings(void **state)
{
    (void)state;
    char ctl[40];
    for (int i = 1; i < 0x20; i++)
        ctl[i - 1] = (char)i;
    ctl[31] = 0x7f;
    ctl[32] = '"';
    ctl[33] = '\\';
    ctl[34] = '/';
    ctl[35] = '\0';
    static const char utf8_edges[] =
        "\xc2\x80|\xdf\xbf|\xe0\xa0\x80|\xed\x9f\xbf|\xee\x80\x80|\xef\xbf\xbf|"
        "\xf0\x90\x80\x80|\xf4\x8f\xbf\xbf";
    static const char invalid[] =
        "\x80|\xbf|\xc0\x80|\xc1\xbf|\xe0\x9f\xbf|\xed\xa0\x80|\xed\xbf\xbf|\xf0\x8f\xbf\xbf|"
        "\xf4\x90\x80\x80|\xf5\x80\x80\x80|\xf8|\xfe|\xff|\xc3|\xe2\x82|\xf0\x9f\x98|"
        "\xc3\xc3\xa9|\xe2\x28\xa1|\xf0\x9f\x28\x80";
    static const char trunc2[] = "end\xc3";
    static const char trunc4[] = "end\xf0\x9f\x98";
    struct stc_result *c = result_new(STC_NODE_CHECK, ctl, ctl);
    result_note(c, "%s", ctl);
    result_note(c, "%s", utf8_edges);
    result_note(c, "%s", invalid);
    result_note(c, "%s", trunc2);
    result_note(c, "%s", trunc4);
    result_recommend(c, "%s", invalid);
    result_set_type(c, "\xff\"type\"");
    result_fact_str(c, ctl, utf8_edges);
    result_fact_str(c, invalid, invalid);
    result_fact_list_add(c, "\xc3", trunc4);
    result_fact_list_add(c, "\xc3", ctl);
    result_add_check(c, invalid, utf8_edges);
    result_add_check(c, trunc4, NULL);
    assert_false(result_oom(c));
    assert_json_text(c, STC_JSON_COMPACT, HOSTILE);

    /* The same as keys of results and in the absolute-name lists. */
    struct stc_result *root = result_new(STC_NODE_DOMAIN, ctl, NULL);
    result_add(root, result_new(STC_NODE_HOST, trunc2, NULL));
    result_add(root, result_new(STC_NODE_HOST, trunc4, NULL));
    result_add(root, result_new(STC_NODE_HOST, "\xe2\x82\xac.", NULL));
    result_fact_list_add(root, "mx_hosts", trunc2);
    result_fact_list_add(root, "mx_hosts", trunc4);
    result_fact_list_add(root, "preferred_hostnames", "\xf0\x9f\x98\x80");
    result_fact_list_add(root, "mx_hostnames", invalid);
    assert_false(result_oom(root));
    assert_json_text(root, STC_JSON_COMPACT, HOSTILE_ROOT);
    stc_result_free(root);
    stc_result_free(c);
}

/* Long strings (no NUL) come out whole: a 200,000-byte fact, a 100,000-byte
 * name and description. */
static void test_text_long_strings(void **state)
{
    (void)state;
    static const char unit[] = "ab\"\\\x01\xc3\xa9\xff\xf0\x9f\x98\x80 ";
    static const char unit_json[] = "ab\\\"\\\\\\u0001\\u00e9\\udcff\\ud83d\\ude00 ";
    const size_t reps = 200000 / (sizeof unit - 1);
    char *big = malloc(reps * (sizeof unit - 1) + 1);
    char *want_val = malloc(reps * (sizeof unit_json - 1) + 1);
    assert_non_null(big);
    assert_non_null(want_val);
    big[0] = want_val[0] = '\0';
    char *p = big, *q = want_val;
    for (size_t i = 0; i < reps; i++) {
        memcpy(p, unit, sizeof unit - 1);
        p += sizeof unit - 1;
        memcpy(q, unit_json, sizeof unit_json - 1);
        q += sizeof unit_json - 1;
    }
    *p = *q = '\0';
    char *name = malloc(100001);
    assert_non_null(name);
    memset(name, 'n', 100000);
    name[100000] = '\0';

    struct stc_result *c = result_new(STC_NODE_CHECK, name, name);
    result_fact_str(c, "big", big);
    assert_false(result_oom(c));
    size_t cap = 2 * strlen(want_val) + 2 * 100000 + 256;
    char *want = malloc(cap);
    assert_non_null(want);
    snprintf(want, cap,
             "{\"name\":\"%s\",\"status\":0,\"status_text\":\"Success\",\"description\":\"%s\","
             "\"messages\":[],\"details\":{\"big\":\"%s\"}}",
             name, name, want_val);
    assert_json_text(c, STC_JSON_COMPACT, want);
    stc_result_free(c);
    free(want);
    free(name);
    free(big);
    free(want_val);
}

/* A chain of check nodes n levels below the root, the last one with facts
 * from fill(). */
static struct stc_result *chain(struct stc_result *top, int n, struct stc_result **last)
{
    struct stc_result *node = top;
    for (int i = 0; i < n; i++)
        node = result_add_check(node, "n", NULL);
    *last = node;
    return top;
}

/* The compact text of a chain of n check levels below a check root "n",
 * the deepest holding details_json (or nothing). */
static char *chain_text(int n, const char *details_json)
{
    static const char open[] = "{\"name\":\"n\",\"status\":0,\"status_text\":\"Success\","
                               "\"description\":\"\",\"messages\":[]";
    size_t cap = (size_t)(n + 1) * (sizeof open + 32) + strlen(details_json) + 16;
    char *s = malloc(cap);
    assert_non_null(s);
    s[0] = '\0';
    for (int i = 0; i <= n; i++) {
        strcat(s, open);
        if (i < n)
            strcat(s, ",\"checks\":{\"n\":");
    }
    strcat(s, details_json);
    for (int i = 0; i < n; i++)
        strcat(s, "}}");
    strcat(s, "}");
    return s;
}

/* The depth limits: 32 check levels below the root at most, and the
 * writer's 64 levels of JSON nesting (a check level is two: the node and
 * its "checks"). What passes and what fails at each edge. */
static void test_text_depth_edges(void **state)
{
    (void)state;
    struct stc_result *last = NULL;
    /* 31 levels: the deepest node is at JSON level 62. */
    struct stc_result *r = chain(result_new(STC_NODE_CHECK, "n", NULL), 31, &last);
    char *want = chain_text(31, "");
    assert_json_text(r, STC_JSON_COMPACT, want);
    free(want);
    /* An empty list there is at level 64: still fine. */
    result_fact_list(last, "l");
    want = chain_text(31, ",\"details\":{\"l\":[]}");
    assert_json_text(r, 0 | STC_JSON_COMPACT, want);
    free(want);
    /* Its first item would be at level 65. */
    result_fact_list_add(last, "l", "x");
    assert_json_fails(r, STC_JSON_COMPACT, STC_E_LIMIT, "json: nested deeper than 64");
    assert_json_fails(r, 0, STC_E_LIMIT, "json: nested deeper than 64");
    stc_result_free(r);

    /* 32 levels: the node's own keys would be at level 65. */
    r = chain(result_new(STC_NODE_CHECK, "n", NULL), 32, &last);
    assert_json_fails(r, 0, STC_E_LIMIT, "json: nested deeper than 64");
    stc_result_free(r);
    /* 33 levels: refused as a tree nested too deeply. */
    r = chain(result_new(STC_NODE_CHECK, "n", NULL), 33, &last);
    assert_json_fails(r, STC_JSON_COMPACT, STC_E_LIMIT, "json: result tree nested deeper than 32");
    stc_result_free(r);

    /* Under the domain's mta_sts (one JSON level higher than a check):
     * 32 levels pass while their arrays are empty. */
    struct stc_result *root = result_new(STC_NODE_DOMAIN, "d", NULL);
    struct stc_result *m = result_add_check(root, "mta_sts", NULL);
    chain(m, 31, &last);
    assert_false(result_oom(root));
    char *s = NULL;
    struct stc_err err = {0};
    assert_int_equal(stc_result_to_json(root, STC_JSON_COMPACT, &s, &err), STC_OK);
    assert_non_null(strstr(s, "\"checks\":{\"n\":{\"name\":\"n\",\"status\":0,\"status_text\":"
                              "\"Success\",\"description\":\"\",\"messages\":[]}}}}"));
    free(s);
    result_note(last, "one message too deep");
    assert_json_fails(root, 0, STC_E_LIMIT, "json: nested deeper than 64");
    /* A 33rd level is refused whatever its place, even where a later node
     * of the same name replaces it in the output. */
    struct stc_result *deep = result_add_check(root, "x", NULL);
    chain(deep, 32, &last);
    result_add_check(root, "x", NULL);
    assert_json_fails(root, 0, STC_E_LIMIT, "json: result tree nested deeper than 32");
    stc_result_free(root);

    /* Nested too deeply inside a replaced duplicate, but within 32 levels:
     * the replaced node is not written, so it passes. */
    r = result_new(STC_NODE_CHECK, "n", NULL);
    chain(result_add_check(r, "n", NULL), 31, &last);
    result_note(last, "deep message");
    result_add_check(r, "n", NULL);
    assert_false(result_oom(r));
    assert_json_text(r, STC_JSON_COMPACT,
                     "{\"name\":\"n\",\"status\":0,\"status_text\":\"Success\",\"description\":"
                     "\"\",\"messages\":[],\"checks\":{\"n\":{\"name\":\"n\",\"status\":0,"
                     "\"status_text\":\"Success\",\"description\":\"\",\"messages\":[]}}}");
    stc_result_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_domain_object),
        cmocka_unit_test(test_pretty_and_compact),
        cmocka_unit_test(test_empty_domain),
        cmocka_unit_test(test_host_and_check_alone),
        cmocka_unit_test(test_host_domain_from_root),
        cmocka_unit_test(test_exact_text),
        cmocka_unit_test(test_utf8_passes),
        cmocka_unit_test(test_bad_args),
        cmocka_unit_test(test_too_deep),
        cmocka_unit_test(test_text_sample_compact),
        cmocka_unit_test(test_text_indented),
        cmocka_unit_test(test_text_node_kinds),
        cmocka_unit_test(test_text_facts),
        cmocka_unit_test(test_text_empty),
        cmocka_unit_test(test_text_duplicate_children),
        cmocka_unit_test(test_text_duplicate_hosts),
        cmocka_unit_test(test_text_fact_set_twice),
        cmocka_unit_test(test_text_hostile_strings),
        cmocka_unit_test(test_text_long_strings),
        cmocka_unit_test(test_text_depth_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
