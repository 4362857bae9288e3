/* scan_gate.h - a cap on simultaneous SMTP connections per IP address. */
#ifndef STC_SCAN_GATE_H
#define STC_SCAN_GATE_H

#include <stdint.h>

#include <starttls/error.h>

struct scan_gate;

struct scan_exclude;

stc_rc scan_gate_new(unsigned per_ip, struct scan_gate **out, struct stc_err *err);
/** Refuse addresses on x (the caller keeps x alive longer than the gate); NULL: none. */
void scan_gate_set_exclude(struct scan_gate *g, const struct scan_exclude *x);
/** At most per_sec new connections per second across all addresses; 0: no cap. */
void scan_gate_set_rate(struct scan_gate *g, unsigned per_sec);
void scan_gate_free(struct scan_gate *g);
/** stc_gate_acquire_fn: wait up to timeout_ms for a slot at addr (and for the rate).
 *  STC_E_TIMEOUT, STC_E_INTERRUPTED after scan_gate_cancel, STC_E_INVAL for an
 *  excluded address (no packet is sent to it), STC_E_NOMEM. */
stc_rc scan_gate_acquire(void *gate, const char *addr, long timeout_ms);
/** stc_gate_release_fn. */
void scan_gate_release(void *gate, const char *addr);
/** Refuse every later acquire and wake the waiters (hard stop). */
void scan_gate_cancel(struct scan_gate *g);
/** Connections granted so far. */
uint64_t scan_gate_connections(struct scan_gate *g);
/** Highest number of simultaneous connections seen on any one address. */
unsigned scan_gate_peak(struct scan_gate *g);
/** Addresses with a connection open or a waiter (0 when idle: entries are freed). */
unsigned scan_gate_entries(struct scan_gate *g);

#endif
