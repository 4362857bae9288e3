/* num.h - range-checked parsing of numbers the user typed (options, config). */
#ifndef STC_UTIL_NUM_H
#define STC_UTIL_NUM_H

/**
 * A decimal integer in [lo, hi]: digits, with one leading '-' only when lo
 * is negative. No white space, no '+', no "0x", nothing after the digits.
 * Returns 0 with *out set, or -1 (out untouched).
 */
int num_long(const char *s, long lo, long hi, long *out);

/**
 * A decimal number "D", "D.D" or ".D" (digits only: no sign, no exponent,
 * no "inf"/"nan", no white space) in [lo, hi]. Returns 0 with *out set, or -1.
 */
int num_decimal(const char *s, double lo, double hi, double *out);

#endif
