"""NAME
    ratewindow - wait for the rate-limit window of a world's "rate-limit" host to pass

SYNOPSIS
    from ratewindow import rate_limit_addrs, wait_closed
    left = wait_closed(run_dir, rate_limit_addrs(domain))   # 0.0: closed

DESCRIPTION
    testbed/smtpd/smtpd.py's "rate-limit" behaviour (ratelimit.test): after a
    connection it serves, the listener answers 421 to every connection for
    WINDOW seconds. The window's start (wall clock) is kept in
    RUN/ratelimit-ADDR-PORT, shared by smtpd's workers, so a test whose result
    depends on its first connection being served waits, before it connects,
    until a window opened by someone else (an earlier test, an earlier run of
    the same test) has passed: it reads that file instead of sleeping blindly.

    rate_limit_addrs(domain) gives the addresses of a worldconf Domain's
    rate-limit hosts. wait_closed(run, addrs) sleeps until no window is open
    on any of them, reading the state again after each sleep, and returns the
    seconds a window is still open when it gives up (after max_wait), else 0.

LIMITS
    Waiting orders tests that run one after the other; two tests connecting
    at the same time would still throttle each other. So every CTest test that
    connects to a rate-limit host holds the RESOURCE_LOCK named by
    CTEST_LOCK (tests/CMakeLists.txt, tests/integration, tests/scan). A
    start in the future or more than a window ago (a clock step, a stale
    file) counts as no window. WINDOW and STATE mirror RATE_LIMIT_WINDOW and
    RATE_LIMIT_STATE in smtpd.py, which stays a standard-library-only program.

DIAGNOSTICS
    None; a missing or unreadable state file means no window is open.
"""

import os
import time

WINDOW = 5.0                    # smtpd.py RATE_LIMIT_WINDOW
STATE = "ratelimit-%s-%d"       # smtpd.py RATE_LIMIT_STATE, in the run directory
MARGIN = 0.1                    # past the window's end before connecting
CTEST_LOCK = "world_ratelimit"  # the CTest RESOURCE_LOCK of tests that connect to one


def rate_limit_addrs(domain):
    """Addresses of the domain's hosts with the "rate-limit" behaviour."""
    return [h.addr for h in domain.hosts if h.smtp == "rate-limit" and h.addr]


def window_left(run, addr, port=25, now=None):
    """Seconds until the window opened on addr:port has passed (0.0 when none is open)."""
    try:
        with open(os.path.join(run, STATE % (addr, port))) as f:
            served = float(f.read(64).strip())
    except (OSError, ValueError):
        return 0.0
    left = served + WINDOW + MARGIN - (time.time() if now is None else now)
    return left if 0 < left <= WINDOW + MARGIN else 0.0


def wait_closed(run, addrs, port=25, max_wait=3 * WINDOW):
    """Sleep until no window is open on any of addrs; the seconds still open when
    max_wait ran out (someone kept reopening it), else 0.0."""
    end = time.monotonic() + max_wait
    while True:
        left = max([window_left(run, a, port) for a in addrs] + [0.0])
        if left <= 0:
            return 0.0
        if time.monotonic() + left > end:
            return left
        time.sleep(left)
