/* export.h - symbol visibility for the public API of libstarttls. */
#ifndef STARTTLS_EXPORT_H
#define STARTTLS_EXPORT_H

#if defined(__GNUC__) || defined(__clang__)
#define STC_EXPORT __attribute__((visibility("default")))
#else
#define STC_EXPORT
#endif

#endif
