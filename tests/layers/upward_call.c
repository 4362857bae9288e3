/* upward_call.c - a deliberate layering violation for the test layers.upward_link.
 *
 * Linked as if it were part of src/probe/ (with the probe layer's objects
 * and those of the layers below it, -Wl,--no-undefined): it calls a judge
 * of src/checks/, which sits above the probes, so the link must fail with
 * an undefined reference to check_connectivity. It is never part of the
 * library.
 */
#include <stddef.h>

struct host_obs;
struct stc_result;
void check_connectivity(const struct host_obs *obs, struct stc_result *host);
void upward_call(const struct host_obs *obs);

void upward_call(const struct host_obs *obs)
{
    check_connectivity(obs, NULL);
}
