/* cli_nagios.h - the --nagios view of a result tree: one Nagios/Icinga plugin
 * status line with performance data, long output lines after it.
 *
 * Plugin states (Nagios plugin guidelines): 0 OK, 1 WARNING, 2 CRITICAL,
 * 3 UNKNOWN; they are also the exit code of starttls-check --nagios.
 */
#ifndef STC_CLI_NAGIOS_H
#define STC_CLI_NAGIOS_H

#include <stdio.h>

#include <starttls/error.h>
#include <starttls/result.h>

enum cli_nagios_state {
    CLI_NAGIOS_OK = 0,
    CLI_NAGIOS_WARNING = 1,
    CLI_NAGIOS_CRITICAL = 2,
    CLI_NAGIOS_UNKNOWN = 3
};

#define CLI_NAGIOS_WARN_DAYS 14 /* default --warn-days */
#define CLI_NAGIOS_CRIT_DAYS 7  /* default --crit-days */
#define CLI_NAGIOS_MAX_DAYS 36500
#define CLI_NAGIOS_MAX_LONG 50 /* long output lines at most (one per problem) */

/** "OK", "WARNING", "CRITICAL", "UNKNOWN". */
const char *cli_nagios_state_name(int state);

/** Plugin state of a domain status code alone: 0 OK, 1 WARNING, 3 (error)
 * UNKNOWN, every other failure code CRITICAL. */
int cli_nagios_from_domain(stc_domain_status d);

/**
 * Lowest certificate days_to_expiry over the MX hosts of root: 1 and *days
 * set (and *host, pointing into the tree) when any host has one, else 0.
 */
int cli_nagios_min_days(const struct stc_result *root, long long *days, const char **host);

/**
 * The state of a domain root: the domain status mapped as above, raised to
 * CRITICAL when the lowest days_to_expiry <= crit_days, to WARNING when
 * <= warn_days (severity order OK < UNKNOWN < WARNING < CRITICAL).
 */
int cli_nagios_state(const struct stc_result *root, long warn_days, long crit_days);

/**
 * Print the plugin output of a domain root:
 *   STARTTLS OK - good.test: 1/1 MX hosts pass | days_to_expiry=3319;14;7 hosts_passing=1;;;0;1
 * hosts_total=1 then one line per problem (host/check status: message). All tree text is escaped,
 * and '|' (the performance data separator) becomes '/'. *state gets the plugin state. STC_E_IO on a
 * write error, STC_E_INVAL.
 */
stc_rc cli_nagios_render(FILE *out, const struct stc_result *root, long warn_days, long crit_days,
                         int *state);

/** "STARTTLS UNKNOWN - SUBJECT: REASON" (both escaped); returns CLI_NAGIOS_UNKNOWN. */
int cli_nagios_unknown(FILE *out, const char *subject, const char *reason);

#endif
