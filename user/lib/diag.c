// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Diagnostics of zone loading and checking: see zone.h. Messages are kept in
 * order of discovery; counts are kept even when a message cannot be stored
 * (out of memory), so a caller never mistakes a failed zone for a clean one.
 */
#define _GNU_SOURCE /* vasprintf */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zone.h"

void xdpmx_diag_add(struct xdpmx_diag *d, enum xdpmx_sev sev, const char *file, unsigned line,
		    const char *check, const char *fmt, ...)
{
	struct xdpmx_diag_msg *m;
	va_list ap;
	char *text;
	int len;

	if (!d)
		return;
	if (sev == XDPMX_SEV_ERROR)
		d->errors++;
	else
		d->warnings++;

	if (d->n == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 16;
		struct xdpmx_diag_msg *a = realloc(d->msgs, cap * sizeof(*a));

		if (!a)
			return;
		d->msgs = a;
		d->cap = cap;
	}
	va_start(ap, fmt);
	len = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (len < 0)
		return;
	m = &d->msgs[d->n];
	m->sev = sev;
	m->line = line;
	m->text = text;
	m->file = file ? strdup(file) : NULL;
	m->check = strdup(check ? check : "");
	if ((file && !m->file) || !m->check) {
		free(m->file);
		free(m->check);
		free(m->text);
		return;
	}
	d->n++;
}

void xdpmx_diag_print(const struct xdpmx_diag *d)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct xdpmx_diag_msg *m = &d->msgs[i];
		const char *sev = m->sev == XDPMX_SEV_ERROR ? "error" : "warning";

		if (m->file && m->line)
			fprintf(stderr, "%s:%u: ", m->file, m->line);
		else if (m->file)
			fprintf(stderr, "%s: ", m->file);
		fprintf(stderr, "%s: %s [%s]\n", sev, m->text, m->check);
	}
}

void xdpmx_diag_clear(struct xdpmx_diag *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->msgs[i].file);
		free(d->msgs[i].check);
		free(d->msgs[i].text);
	}
	free(d->msgs);
	memset(d, 0, sizeof(*d));
}
