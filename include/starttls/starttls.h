/* starttls.h - umbrella header of libstarttls (starttls-check). */
#ifndef STARTTLS_STARTTLS_H
#define STARTTLS_STARTTLS_H

#include "checker.h"
#include "error.h"
#include "export.h"
#include "json.h"
#include "report.h"
#include "result.h"
#include "scan.h"
#include "serve.h"
#include "version.h"

#endif
