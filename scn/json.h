/* SPDX-License-Identifier: GPL-2.0 */
/* What adsim's JSON outputs share. */
#ifndef ADSIM_SCN_JSON_H
#define ADSIM_SCN_JSON_H

#include <stdio.h>

/* s as a JSON string: quotes, backslashes and control characters escaped. */
void json_str(FILE *f, const char *s);

#endif
