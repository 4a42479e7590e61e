// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Reading RFC 1035 master files into the zone builder (zone_int.h).
 *
 * ldns parses the records: ldns_rr_new_frm_fp_l() reads one entry (one line,
 * or several inside parentheses) per call and handles owners, relative
 * names, @, TTLs, classes, escapes, quoting and RFC 3597 unknown types. This
 * file drives it over each file, which it also keeps in memory so that it can
 *  - give every record and every error the line its entry starts on (ldns
 *    folds blank and comment lines into the next entry's count),
 *  - handle the directives itself: $INCLUDE (ldns only reports that it saw
 *    one), $ORIGIN relative to the current origin, and $TTL with a check of
 *    its value,
 *  - keep going after a bad record, so one run reports every syntax error
 *    (up to LOAD_MAX_ERRORS).
 *
 * $INCLUDE follows RFC 1035 section 5.1: the included file starts with the
 * includer's origin unless the directive names one, and the includer's
 * origin, current owner and $TTL are the same after the directive as
 * before it. Paths are relative to the directory of the including file.
 */
#define _GNU_SOURCE /* fmemopen */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "zone_int.h"

#define LOAD_MAX_ERRORS 100
#define LOAD_MAX_DEPTH 10 /* files open at once through $INCLUDE */
#define LOAD_DEFAULT_TTL 3600
#define TTL_MAX 0x7fffffffU /* RFC 2181 section 8 */
#define SNIPPET_MAX 60

struct zload {
	struct xdpmx_zb b;
	struct xdpmx_diag *d;
	size_t errors_at_start;
	bool stop;	   /* too many errors, or no way to go on */
	bool apex_known;   /* b.apex is set */
	ldns_buffer *wire; /* RDATA of the record being converted */
	struct timespec mtime;
};

/* One file being read. */
struct zframe {
	const char *path; /* as stored in the builder */
	int file;	  /* its index there */
	const char *buf;
	size_t size;
	FILE *fp;
	size_t pos;    /* at the start of a line, or of an entry's rest */
	unsigned line; /* of pos, from 1 */
	ldns_rdf *origin;
	ldns_rdf *prev;
	uint32_t ttl;
};

static size_t load_errors(const struct zload *L)
{
	return L->d->errors - L->errors_at_start;
}

static void note_error(struct zload *L, const struct zframe *f, unsigned line)
{
	if (load_errors(L) >= LOAD_MAX_ERRORS && !L->stop) {
		xdpmx_diag_add(L->d, XDPMX_SEV_ERROR, f->path, line, "too-many-errors",
			       "%d errors, stopped reading", LOAD_MAX_ERRORS);
		L->stop = true;
	}
}

/* The first line of the entry at pos, trimmed, for messages. */
static void snippet(const struct zframe *f, size_t pos, char *out, size_t size)
{
	size_t end = pos, n;

	while (end < f->size && f->buf[end] != '\n')
		end++;
	while (pos < end && (f->buf[pos] == ' ' || f->buf[pos] == '\t'))
		pos++;
	while (end > pos &&
	       (f->buf[end - 1] == ' ' || f->buf[end - 1] == '\t' || f->buf[end - 1] == '\r'))
		end--;
	n = end - pos;
	if (n > SNIPPET_MAX) {
		snprintf(out, size, "%.*s...", SNIPPET_MAX, f->buf + pos);
		return;
	}
	snprintf(out, size, "%.*s", (int)n, f->buf + pos);
}

/* Move past blank and comment-only lines. Returns whether an entry is left. */
static bool skip_blank(struct zframe *f)
{
	while (f->pos < f->size) {
		size_t p = f->pos;

		while (p < f->size && (f->buf[p] == ' ' || f->buf[p] == '\t' || f->buf[p] == '\r'))
			p++;
		if (p < f->size && f->buf[p] == ';')
			while (p < f->size && f->buf[p] != '\n')
				p++;
		if (p >= f->size) {
			f->pos = f->size;
			return false;
		}
		if (f->buf[p] != '\n')
			return true;
		f->pos = p + 1;
		f->line++;
	}
	return false;
}

/* Advance pos to end, counting lines. */
static void advance(struct zframe *f, size_t end)
{
	for (; f->pos < end; f->pos++)
		if (f->buf[f->pos] == '\n')
			f->line++;
}

static void skip_line(struct zframe *f)
{
	size_t end = f->pos;

	while (end < f->size && f->buf[end] != '\n')
		end++;
	advance(f, end < f->size ? end + 1 : end);
}

/* ---- Directives ------------------------------------------------------------ */

#define DIR_TOKENS 4
#define DIR_TOKEN_MAX 1024

/* Split the directive line at pos into whitespace-separated tokens;
 * "quoted" tokens may hold blanks and \" escapes, and ';' starts a comment.
 * Returns the number of tokens, or -EINVAL (unterminated quote, too long). */
static int dir_tokens(const struct zframe *f, char tok[DIR_TOKENS + 1][DIR_TOKEN_MAX])
{
	size_t p = f->pos;
	int n = 0;

	for (;;) {
		size_t k = 0;

		while (p < f->size && (f->buf[p] == ' ' || f->buf[p] == '\t' || f->buf[p] == '\r'))
			p++;
		if (p >= f->size || f->buf[p] == '\n' || f->buf[p] == ';')
			return n;
		if (n == DIR_TOKENS + 1)
			return n;
		if (f->buf[p] == '"') {
			p++;
			while (p < f->size && f->buf[p] != '"' && f->buf[p] != '\n') {
				if (f->buf[p] == '\\' && p + 1 < f->size)
					p++;
				if (k + 1 >= DIR_TOKEN_MAX)
					return -EINVAL;
				tok[n][k++] = f->buf[p++];
			}
			if (p >= f->size || f->buf[p] != '"')
				return -EINVAL;
			p++;
		} else {
			while (p < f->size && f->buf[p] != ' ' && f->buf[p] != '\t' &&
			       f->buf[p] != '\r' && f->buf[p] != '\n' && f->buf[p] != ';') {
				if (k + 1 >= DIR_TOKEN_MAX)
					return -EINVAL;
				tok[n][k++] = f->buf[p++];
			}
		}
		tok[n++][k] = '\0';
	}
}

/* A TTL as seconds, or with units as BIND and RFC 2308 examples write them
 * ("1h30m", "2D"). Returns 0, or -EINVAL / -ERANGE (above 2^31-1). */
static int parse_ttl(const char *s, uint32_t *out)
{
	uint64_t total = 0, v = 0;
	bool digits = false, units = false;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		uint64_t mult;

		if (*s >= '0' && *s <= '9') {
			v = v * 10 + (uint64_t)(*s - '0');
			if (v > TTL_MAX)
				return -ERANGE;
			digits = true;
			continue;
		}
		switch (*s) {
		case 's':
		case 'S':
			mult = 1;
			break;
		case 'm':
		case 'M':
			mult = 60;
			break;
		case 'h':
		case 'H':
			mult = 3600;
			break;
		case 'd':
		case 'D':
			mult = 86400;
			break;
		case 'w':
		case 'W':
			mult = 604800;
			break;
		default:
			return -EINVAL;
		}
		if (!digits)
			return -EINVAL;
		total += v * mult;
		if (total > TTL_MAX)
			return -ERANGE;
		v = 0;
		digits = false;
		units = true;
	}
	if (units && digits)
		return -EINVAL; /* "1h30": a number after a unit needs one too */
	total += v;
	if (total > TTL_MAX)
		return -ERANGE;
	*out = (uint32_t)total;
	return 0;
}

/* Whether a name in presentation form is absolute: ends in an unescaped dot. */
static bool str_absolute(const char *s)
{
	size_t n = strlen(s), bs = 0;

	if (n == 0 || s[n - 1] != '.')
		return false;
	while (bs + 1 < n && s[n - 2 - bs] == '\\')
		bs++;
	return bs % 2 == 0;
}

/* Parse a name of a directive relative to the frame's origin into an ldns
 * rdf. Returns NULL after reporting why. */
static ldns_rdf *dir_name(struct zload *L, struct zframe *f, unsigned line, const char *what,
			  const char *s)
{
	uint8_t wire[XDPMX_DNAME_MAX];
	const uint8_t *origin = f->origin ? ldns_rdf_data(f->origin) : NULL;
	ldns_rdf *r;
	int len;

	if (!str_absolute(s) && !origin) {
		xdpmx_diag_add(L->d, XDPMX_SEV_ERROR, f->path, line, "directive",
			       "%s '%s' is relative and there is no origin to append", what, s);
		return NULL;
	}
	len = xdpmx_dname_from_str(wire, s, str_absolute(s) ? NULL : origin);
	if (len < 0) {
		xdpmx_diag_add(L->d, XDPMX_SEV_ERROR, f->path, line, "directive",
			       "%s '%s' is not a valid domain name: %s", what, s,
			       len == -ENAMETOOLONG ? "too long" : "bad syntax");
		return NULL;
	}
	r = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, (size_t)len, wire);
	if (!r)
		L->stop = true;
	return r;
}

static int load_file(struct zload *L, const char *path, ldns_rdf *origin, uint32_t ttl, int depth,
		     const struct zframe *from, unsigned from_line);

static void do_include(struct zload *L, struct zframe *f, unsigned line,
		       char tok[DIR_TOKENS + 1][DIR_TOKEN_MAX], int n, int depth)
{
	ldns_rdf *origin = NULL;
	const char *slash;
	char *child;
	int err;

	if (n < 2 || n > 3) {
		xdpmx_diag_add(L->d, XDPMX_SEV_ERROR, f->path, line, "directive",
			       "$INCLUDE takes a file name and an optional origin");
		return;
	}
	if (depth + 1 >= LOAD_MAX_DEPTH) {
		xdpmx_diag_add(L->d, XDPMX_SEV_ERROR, f->path, line, "include",
			       "cannot include '%s': more than %d nested files (an include loop?)",
			       tok[1], LOAD_MAX_DEPTH);
		return;
	}
	if (n == 3) {
		origin = dir_name(L, f, line, "$INCLUDE origin", tok[2]);
		if (!origin)
			return;
	} else if (f->origin) {
		origin = ldns_rdf_clone(f->origin);
		if (!origin) {
			L->stop = true;
			return;
		}
	}
	slash = strrchr(f->path, '/');
	if (tok[1][0] == '/' || !slash)
		err = asprintf(&child, "%s", tok[1]);
	else
		err = asprintf(&child, "%.*s/%s", (int)(slash - f->path), f->path, tok[1]);
	if (err < 0) {
		ldns_rdf_deep_free(origin);
		L->stop = true;
		return;
	}
	err = load_file(L, child, origin, f->ttl, depth + 1, f, line);
	if (err == -ENOMEM)
		L->stop = true;
	free(child);
}

static void do_directive(struct zload *L, struct zframe *f, int depth)
{
	char tok[DIR_TOKENS + 1][DIR_TOKEN_MAX];
	unsigned line = f->line;
	int n = dir_tokens(f, tok);

	if (n < 0) {
		xdpmx_diag_add(L->d, XDPMX_SEV_ERROR, f->path, line, "directive",
			       "cannot parse the directive: unterminated quote or token too long");
	} else if (strcasecmp(tok[0], "$ORIGIN") == 0) {
		if (n != 2) {
			xdpmx_diag_add(L->d, XDPMX_SEV_ERROR, f->path, line, "directive",
				       "$ORIGIN takes one domain name");
		} else {
			ldns_rdf *o = dir_name(L, f, line, "$ORIGIN", tok[1]);

			if (o) {
				ldns_rdf_deep_free(f->origin);
				f->origin = o;
			}
		}
	} else if (strcasecmp(tok[0], "$TTL") == 0) {
		uint32_t ttl;
		int err = n == 2 ? parse_ttl(tok[1], &ttl) : -EINVAL;

		if (n != 2)
			xdpmx_diag_add(L->d, XDPMX_SEV_ERROR, f->path, line, "directive",
				       "$TTL takes one value");
		else if (err)
			xdpmx_diag_add(L->d, XDPMX_SEV_ERROR, f->path, line, "directive",
				       "$TTL '%s' is not a valid TTL%s", tok[1],
				       err == -ERANGE ? " (above 2147483647)" : "");
		else
			f->ttl = ttl;
	} else if (strcasecmp(tok[0], "$INCLUDE") == 0) {
		/* the includer continues after the directive's line */
		skip_line(f);
		do_include(L, f, line, tok, n, depth);
		note_error(L, f, line);
		return;
	} else {
		xdpmx_diag_add(L->d, XDPMX_SEV_ERROR, f->path, line, "directive",
			       "unknown directive %s", tok[0]);
	}
	skip_line(f);
	note_error(L, f, line);
}

/* ---- Records --------------------------------------------------------------- */

/* Before the zone's origin is known and with no $ORIGIN, the first record
 * must name its owner absolutely; make that name the origin so the rest of
 * the entry (the SOA's relative names) resolves against it. */
static int origin_from_owner(struct zload *L, struct zframe *f)
{
	char tok[DIR_TOKEN_MAX];
	size_t p = f->pos, k = 0;

	if (f->buf[p] == ' ' || f->buf[p] == '\t') {
		xdpmx_diag_add(L->d, XDPMX_SEV_ERROR, f->path, f->line, "origin",
			       "cannot tell the zone origin: the first record has no owner, "
			       "and there is no $ORIGIN");
		return -EINVAL;
	}
	while (p < f->size && k + 1 < sizeof(tok) && f->buf[p] != ' ' && f->buf[p] != '\t' &&
	       f->buf[p] != '\n' && f->buf[p] != '\r' && f->buf[p] != '(' && f->buf[p] != ';')
		tok[k++] = f->buf[p++];
	tok[k] = '\0';
	if (!str_absolute(tok)) {
		xdpmx_diag_add(L->d, XDPMX_SEV_ERROR, f->path, f->line, "origin",
			       "cannot tell the zone origin: the first record's owner '%s' is "
			       "relative, and there is no $ORIGIN",
			       tok);
		return -EINVAL;
	}
	f->origin = dir_name(L, f, f->line, "owner", tok);
	return f->origin ? 0 : -EINVAL;
}

/* "owner TYPE" of a record, for messages. */
static const char *rr_label(const ldns_rr *rr, char *buf, size_t size)
{
	const ldns_rdf *owner = ldns_rr_owner(rr);
	char ns[XDPMX_DNAME_STRLEN], ts[16];

	xdpmx_dname_str(ldns_rdf_data(owner), ns);
	snprintf(buf, size, "%s %s", ns, xdpmx_type_str(ldns_rr_get_type(rr), ts, sizeof(ts)));
	return buf;
}

/* Convert and add one parsed record. */
static void take_rr(struct zload *L, struct zframe *f, unsigned line, ldns_rr *rr)
{
	const ldns_rdf *owner = ldns_rr_owner(rr);
	uint16_t type = (uint16_t)ldns_rr_get_type(rr);
	uint32_t ttl = ldns_rr_ttl(rr);
	char what[XDPMX_DNAME_STRLEN + 24];
	ldns_status s;
	int err;

	if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN) {
		char *cs = ldns_rr_class2str(ldns_rr_get_class(rr));

		xdpmx_diag_add(L->d, XDPMX_SEV_ERROR, f->path, line, "bad-class",
			       "class %s is not supported, only IN", cs ? cs : "?");
		free(cs);
		return;
	}
	if (type == 0) {
		xdpmx_diag_add(L->d, XDPMX_SEV_ERROR, f->path, line, "syntax",
			       "unknown record type");
		return;
	}
	if (!owner || xdpmx_dname_len(ldns_rdf_data(owner), ldns_rdf_size(owner)) !=
			      (int)ldns_rdf_size(owner)) {
		xdpmx_diag_add(L->d, XDPMX_SEV_ERROR, f->path, line, "syntax",
			       "the owner name is longer than 255 octets");
		return;
	}

	ldns_buffer_clear(L->wire);
	for (size_t i = 0; i < ldns_rr_rd_count(rr); i++) {
		const ldns_rdf *rdf = ldns_rr_rdf(rr, i);

		if (ldns_rdf_get_type(rdf) == LDNS_RDF_TYPE_DNAME &&
		    xdpmx_dname_len(ldns_rdf_data(rdf), ldns_rdf_size(rdf)) !=
			    (int)ldns_rdf_size(rdf)) {
			xdpmx_diag_add(L->d, XDPMX_SEV_ERROR, f->path, line, "syntax",
				       "%s: a name in the RDATA is longer than 255 octets",
				       rr_label(rr, what, sizeof(what)));
			return;
		}
		s = ldns_rdf2buffer_wire(L->wire, rdf);
		if (s != LDNS_STATUS_OK) {
			xdpmx_diag_add(L->d, XDPMX_SEV_ERROR, f->path, line, "syntax",
				       "%s: cannot convert the RDATA: %s",
				       rr_label(rr, what, sizeof(what)),
				       ldns_get_errorstr_by_id(s));
			return;
		}
	}
	if (ldns_buffer_position(L->wire) > UINT16_MAX) {
		xdpmx_diag_add(L->d, XDPMX_SEV_ERROR, f->path, line, "syntax",
			       "%s: RDATA longer than 65535 octets",
			       rr_label(rr, what, sizeof(what)));
		return;
	}
	if (ttl > TTL_MAX) {
		xdpmx_diag_add(L->d, XDPMX_SEV_WARNING, f->path, line, "ttl-range",
			       "%s: TTL %u is above 2147483647 (RFC 2181 section 8); using 0",
			       rr_label(rr, what, sizeof(what)), ttl);
		ttl = 0;
	}

	if (!L->apex_known) {
		if (type != LDNS_RR_TYPE_SOA) {
			xdpmx_diag_add(L->d, XDPMX_SEV_ERROR, f->path, line, "origin",
				       "cannot tell the zone origin: the first record is %s, "
				       "not the SOA",
				       rr_label(rr, what, sizeof(what)));
			L->stop = true;
			return;
		}
		xdpmx_zb_set_apex(&L->b, ldns_rdf_data(owner), ldns_rdf_size(owner));
		L->apex_known = true;
	}
	err = xdpmx_zb_add(&L->b, ldns_rdf_data(owner), ldns_rdf_size(owner), type, ttl,
			   ldns_buffer_begin(L->wire), ldns_buffer_position(L->wire), f->file,
			   line);
	if (err < 0)
		L->stop = true;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * RFC 1035 section 5.1 lets the class come before the TTL ("IN 300 A ..."),
 * which ldns does not read. Retry the entry [start, end) with the two
 * swapped when it has that shape. Returns 0 and *rr, or -EINVAL when the
 * entry does not have that shape or still does not parse.
 */
static int retry_class_ttl(struct zframe *f, size_t start, size_t end, ldns_rr **rr)
{
	size_t len = end - start, p = 0, a, b, c, e;
	char cls[16], *text, *swapped;
	ldns_status s = LDNS_STATUS_ERR;

	text = strndup(f->buf + start, len);
	if (!text)
		return -ENOMEM;
	while (p < len && !is_blank(text[p])) /* the owner, if any */
		p++;
	for (a = p; a < len && is_blank(text[a]); a++)
		;
	for (b = a; b < len && !is_blank(text[b]); b++)
		;
	for (c = b; c < len && is_blank(text[c]); c++)
		;
	for (e = c; e < len && !is_blank(text[e]); e++)
		;
	if (b - a < sizeof(cls) && c < len && text[c] >= '0' && text[c] <= '9') {
		memcpy(cls, text + a, b - a);
		cls[b - a] = '\0';
		if (ldns_get_rr_class_by_name(cls) &&
		    asprintf(&swapped, "%.*s%.*s %s%s", (int)a, text, (int)(e - c), text + c, cls,
			     text + e) > 0) {
			s = ldns_rr_new_frm_str(rr, swapped, f->ttl, f->origin, &f->prev);
			free(swapped);
		}
	}
	free(text);
	return s == LDNS_STATUS_OK ? 0 : -EINVAL;
}

/* Whether the entry at start gives a TTL: the token after the owner (or
 * after the leading blank that stands for it), or the one after a class,
 * starts with a digit. Only asked about when $TTL is 0, the one default
 * ldns cannot represent. */
static bool entry_has_ttl(const struct zframe *f, size_t start)
{
	size_t p = start;
	char cls[16];

	while (p < f->size && !is_blank(f->buf[p]))
		p++;
	for (int tok = 0; tok < 2; tok++) {
		size_t b, k = 0;

		while (p < f->size && (is_blank(f->buf[p]) || f->buf[p] == '('))
			p++;
		if (p < f->size && f->buf[p] >= '0' && f->buf[p] <= '9')
			return true;
		for (b = p; p < f->size && !is_blank(f->buf[p]); p++)
			;
		if (p - b >= sizeof(cls))
			return false;
		for (; b < p; b++)
			cls[k++] = f->buf[b];
		cls[k] = '\0';
		if (!ldns_get_rr_class_by_name(cls))
			return false;
	}
	return false;
}

static void do_record(struct zload *L, struct zframe *f)
{
	unsigned line = f->line;
	size_t start = f->pos;
	ldns_rr *rr = NULL;
	ldns_status s;
	long end;
	int lnr = (int)line;

	if (!L->apex_known && !f->origin && origin_from_owner(L, f)) {
		L->stop = true;
		return;
	}
	if (fseek(f->fp, (long)start, SEEK_SET)) {
		L->stop = true;
		return;
	}
	s = ldns_rr_new_frm_fp_l(&rr, f->fp, &f->ttl, &f->origin, &f->prev, &lnr);
	end = ftell(f->fp);
	if (end < 0 || (size_t)end <= start) {
		skip_line(f);
	} else {
		advance(f, (size_t)end);
		if (s != LDNS_STATUS_OK && s != LDNS_STATUS_SYNTAX_EMPTY &&
		    s != LDNS_STATUS_MEM_ERR && retry_class_ttl(f, start, (size_t)end, &rr) == 0)
			s = LDNS_STATUS_OK;
	}

	switch (s) {
	case LDNS_STATUS_OK:
		/* ldns gives a TTL-less record 3600 when the default is 0 */
		if (f->ttl == 0 && !entry_has_ttl(f, start))
			ldns_rr_set_ttl(rr, 0);
		take_rr(L, f, line, rr);
		ldns_rr_free(rr);
		break;
	case LDNS_STATUS_SYNTAX_EMPTY:
		break;
	case LDNS_STATUS_MEM_ERR:
		L->stop = true;
		break;
	default: {
		char text[SNIPPET_MAX + 4];

		snippet(f, start, text, sizeof(text));
		xdpmx_diag_add(L->d, XDPMX_SEV_ERROR, f->path, line, "syntax",
			       "cannot parse record '%s': %s", text, ldns_get_errorstr_by_id(s));
		break;
	}
	}
	note_error(L, f, line);
}

/* ---- Files ----------------------------------------------------------------- */

/* Read path, taking ownership of origin. from is the including frame (NULL
 * for the zone's main file). Returns 0, or a negative errno when the file
 * cannot be read (already reported) or on ENOMEM. */
static int load_file(struct zload *L, const char *path, ldns_rdf *origin, uint32_t ttl, int depth,
		     const struct zframe *from, unsigned from_line)
{
	struct zframe f = {.origin = origin, .ttl = ttl, .line = 1};
	struct stat st;
	void *map = NULL;
	int fd, err = 0;

	f.file = xdpmx_zb_file(&L->b, path);
	if (f.file < 0) {
		ldns_rdf_deep_free(origin);
		return f.file;
	}
	f.path = L->b.files[f.file];

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		err = -errno;
		goto cant_read;
	}
	if (!S_ISREG(st.st_mode)) {
		err = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
		goto cant_read;
	}
	if (!from)
		L->mtime = st.st_mtim;
	f.size = (size_t)st.st_size;
	if (f.size) {
		map = mmap(NULL, f.size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED) {
			err = -errno;
			map = NULL;
			goto cant_read;
		}
		f.buf = map;
		f.fp = fmemopen(map, f.size, "r");
		if (!f.fp) {
			err = -errno;
			goto cant_read;
		}
	}
	close(fd);
	fd = -1;

	while (!L->stop && skip_blank(&f)) {
		if (f.buf[f.pos] == '$')
			do_directive(L, &f, depth);
		else
			do_record(L, &f);
	}
	goto out;

cant_read:
	if (from)
		xdpmx_diag_add(L->d, XDPMX_SEV_ERROR, from->path, from_line, "include",
			       "cannot read included file '%s': %s", path, strerror(-err));
	else
		xdpmx_diag_add(L->d, XDPMX_SEV_ERROR, path, 0, "file", "cannot read zone file: %s",
			       strerror(-err));
out:
	if (f.fp)
		fclose(f.fp);
	if (map)
		munmap(map, f.size);
	if (fd >= 0)
		close(fd);
	ldns_rdf_deep_free(f.origin);
	ldns_rdf_deep_free(f.prev);
	return err;
}

int xdpmx_zone_load(const char *path, const struct xdpmx_zone_opts *opts, struct xdpmx_diag *d,
		    struct xdpmx_zone **out)
{
	static const struct xdpmx_zone_opts defaults;
	struct xdpmx_diag local = {};
	struct zload L = {};
	struct xdpmx_zone *z = NULL;
	ldns_rdf *origin = NULL;
	uint32_t ttl;
	int err;

	*out = NULL;
	if (!opts)
		opts = &defaults;
	L.d = d ? d : &local;
	L.errors_at_start = L.d->errors;
	xdpmx_zb_init(&L.b, L.d);
	L.wire = ldns_buffer_new(512);
	if (!L.wire) {
		err = -ENOMEM;
		goto out;
	}
	ttl = opts->default_ttl ? opts->default_ttl : LOAD_DEFAULT_TTL;

	if (opts->origin) {
		int len = xdpmx_dname_len(opts->origin, XDPMX_DNAME_MAX);

		if (len < 0) {
			err = -EINVAL;
			goto out;
		}
		xdpmx_zb_set_apex(&L.b, opts->origin, (size_t)len);
		L.apex_known = true;
		origin = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, (size_t)len, opts->origin);
		if (!origin) {
			err = -ENOMEM;
			goto out;
		}
	}

	err = load_file(&L, path, origin, ttl, 0, NULL, 0);
	if (err && err != -ENOMEM && err != -ENOENT && err != -EACCES)
		err = -EINVAL;
	if (err)
		goto out;
	if (L.stop && load_errors(&L) == 0) {
		err = -ENOMEM; /* stopped for want of memory */
		goto out;
	}
	if (!L.apex_known && load_errors(&L) == 0)
		xdpmx_diag_add(L.d, XDPMX_SEV_ERROR, path, 0, "origin",
			       "cannot tell the zone origin: the file has no records");
	if (load_errors(&L)) {
		err = -EINVAL;
		goto out;
	}

	err = xdpmx_zb_finish(&L.b, path, opts->order, &z);
	if (err)
		goto out;
	z->mtime = L.mtime;
	if (xdpmx_zone_check(z, L.d) > 0) {
		xdpmx_zone_unref(z);
		err = -EINVAL;
		goto out;
	}
	*out = z;
out:
	if (L.wire)
		ldns_buffer_free(L.wire);
	xdpmx_zb_release(&L.b);
	if (!d)
		xdpmx_diag_clear(&local);
	return err;
}
