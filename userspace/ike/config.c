// SPDX-License-Identifier: GPL-2.0
/*
 * A connection from a swanctl.conf-style file (strongSwan's syntax):
 *
 *   connections {
 *       lab {
 *           local_addrs = 10.0.0.1
 *           remote_addrs = 10.0.0.2
 *           proposals = aes256gcm16-prfsha256-ecp256
 *           local { auth = psk
 *                   id = alice@lab }
 *           remote { auth = psk
 *                    id = gw.lab }
 *           children {
 *               net {
 *                   local_ts = 10.1.0.0/24
 *                   remote_ts = 10.2.0.0/24
 *                   esp_proposals = aes128gcm16-ecp256
 *                   mode = tunnel
 *                   start_action = start      # none, start, trap
 *                   life_time = 1h
 *               }
 *           }
 *       }
 *   }
 *   secrets { ike-lab { secret = "a lab secret" } }
 *
 * Sections nest with braces, settings are "key = value" to the end of the
 * line or a '}' (quotes around the value are dropped), '#' starts a
 * comment.  Keys
 * ksad-ike does not know are errors, not silently ignored: a setting that
 * would change strongSwan's behaviour must not be lost here.  Settings of
 * other connections are skipped unread.  One CHILD SA (the first).
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

#define MAX_DEPTH	6

struct place {
	const char *name[MAX_DEPTH];
	size_t len[MAX_DEPTH];
	int depth;
};

static bool is(const struct place *p, int i, const char *name)
{
	return i < p->depth && strlen(name) == p->len[i] &&
	       !strncmp(p->name[i], name, p->len[i]);
}

static int set(char *dst, size_t cap, const char *v, size_t n, char *err,
	       size_t errlen, int line)
{
	if (n >= cap) {
		snprintf(err, errlen, "line %d: value too long", line);
		return -1;
	}
	memcpy(dst, v, n);
	dst[n] = 0;
	return 0;
}

#define MAX_SECRETS	8
#define MAX_SECRET_IDS	4

/* One section of secrets { }: its IDs (none: any) and the secret. */
struct secret {
	char ids[MAX_SECRET_IDS][128];
	int nids;
	char secret[IKE_CONF_STR];
};

/* Key @k of a section of secrets { }: the secret, or one of its IDs. */
static char *secret_slot(struct secret *x, const struct place *p, const char *k,
			 size_t kn, size_t *cap, bool *bad)
{
	*bad = p->depth != 2;
	if (*bad)
		return NULL;
	if (kn == 6 && !strncmp(k, "secret", 6)) {
		*cap = sizeof(x->secret);
		return x->secret;
	}
	if (kn >= 2 && !strncmp(k, "id", 2) && x->nids < MAX_SECRET_IDS) {
		*cap = sizeof(x->ids[0]);
		return x->ids[x->nids++];
	}
	*bad = true;
	return NULL;
}

/* An identity as written, without strongSwan's leading '@' (an FQDN). */
static bool same_id(const char *a, const char *b)
{
	return *a && *b && !strcmp(a + (*a == '@'), b + (*b == '@'));
}

/*
 * The connection's secret: from the section naming the most of its two IDs
 * (the first of equals), else from the first section naming none, as
 * strongSwan matches them.
 */
static void pick_secret(struct ike_conf *c, const struct secret *sec, int n)
{
	const struct secret *any = NULL, *got = NULL;
	int i, j, best = 0;

	for (i = 0; i < n; i++) {
		bool mine = false, theirs = false;

		if (!sec[i].nids && !any)
			any = &sec[i];
		for (j = 0; j < sec[i].nids; j++) {
			mine |= same_id(sec[i].ids[j], c->local_id);
			theirs |= same_id(sec[i].ids[j], c->remote_id);
		}
		if (mine + theirs > best) {
			best = mine + theirs;
			got = &sec[i];
		}
	}
	if (!got)
		got = any;
	if (got)
		snprintf(c->secret, sizeof(c->secret), "%s", got->secret);
}

/* Where does key @k (length @kn) at @p go?  NULL: skip it; @bad: unknown. */
static char *slot(struct ike_conf *c, const struct place *p, const char *k,
		  size_t kn, size_t *cap, bool *bad)
{
	struct { int depth; const char *sect; const char *key; char *dst; size_t cap; } map[] = {
		{ 2, NULL, "local_addrs", c->local_addrs, sizeof(c->local_addrs) },
		{ 2, NULL, "remote_addrs", c->remote_addrs, sizeof(c->remote_addrs) },
		{ 2, NULL, "proposals", c->proposals, sizeof(c->proposals) },
		{ 2, NULL, "version", NULL, 0 },
		{ 3, "local", "id", c->local_id, sizeof(c->local_id) },
		{ 3, "remote", "id", c->remote_id, sizeof(c->remote_id) },
		{ 3, "local", "auth", NULL, 0 },
		{ 3, "remote", "auth", NULL, 0 },
		{ 4, "children", "local_ts", c->local_ts, sizeof(c->local_ts) },
		{ 4, "children", "remote_ts", c->remote_ts, sizeof(c->remote_ts) },
		{ 4, "children", "esp_proposals", c->esp_proposals, sizeof(c->esp_proposals) },
		{ 4, "children", "mode", c->mode, sizeof(c->mode) },
		{ 4, "children", "start_action", c->start_action, sizeof(c->start_action) },
		{ 4, "children", "life_time", c->life_time, sizeof(c->life_time) },
	};
	size_t i;

	*bad = false;
	if (!is(p, 0, "connections") || p->depth < 2) {
		*bad = true;
		return NULL;
	}
	if (!c->name[0] || !is(p, 1, c->name))
		return NULL;	/* another connection */
	if (p->depth == 4 && c->child[0] && !is(p, 3, c->child))
		return NULL;	/* a second CHILD SA: not ours */
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].depth == p->depth && strlen(map[i].key) == kn &&
		    !strncmp(map[i].key, k, kn) &&
		    (!map[i].sect || is(p, p->depth - (map[i].depth == 4 ? 2 : 1), map[i].sect))) {
			*cap = map[i].cap;
			return map[i].dst;
		}
	*bad = true;
	return NULL;
}

/**
 * ike_conf_parse() - read connection @conn (or the first) of a config text
 * @text: the file's contents, NUL-terminated
 * @conn: the connection's name, "" for the first, "#N" for the N-th from 0
 * @c: the settings found (empty strings for those not given)
 * @err: why it failed, with the line
 * @errlen: room there
 *
 * Return: 0, or -1.
 */
int ike_conf_parse(const char *text, const char *conn, struct ike_conf *c,
		   char *err, size_t errlen)
{
	static struct secret sec[MAX_SECRETS];
	int line = 1, nconn = 0, nsec = 0, nth = conn[0] == '#' ? atoi(conn + 1) : -1;
	struct place p = { .depth = 0 };
	const char *s = text;

	memset(c, 0, sizeof(*c));
	memset(sec, 0, sizeof(sec));
	while (*s) {
		const char *eol = strchr(s, '\n'), *e, *k, *v;
		size_t kn, vn, cap;
		bool bad;
		char *dst;

		if (!eol)
			eol = s + strlen(s);
		e = eol;
		while (s < e) {
			while (s < e && isspace((unsigned char)*s))
				s++;
			if (s == e || *s == '#')
				break;	/* the rest of the line is a comment */
			if (*s == '}') {
				if (!p.depth) {
					snprintf(err, errlen, "line %d: '}' without '{'", line);
					return -1;
				}
				p.depth--;
				s++;
				continue;
			}
			k = s;
			while (s < e && (isalnum((unsigned char)*s) || *s == '_' || *s == '-' ||
					 *s == '.'))
				s++;
			kn = (size_t)(s - k);
			while (s < e && isspace((unsigned char)*s))
				s++;
			if (!kn || s == e) {
				snprintf(err, errlen, "line %d: expected a name and '{' or '='", line);
				return -1;
			}
			if (*s == '{') {
				if (p.depth == MAX_DEPTH) {
					snprintf(err, errlen, "line %d: nested too deep", line);
					return -1;
				}
				p.name[p.depth] = k;
				p.len[p.depth++] = kn;
				s++;
				/* the first connection / CHILD SA is ours unless named */
				if (p.depth == 2 && is(&p, 0, "connections") && !c->name[0] &&
				    (nth >= 0 ? nconn == nth : !conn[0] || is(&p, 1, conn)) &&
				    set(c->name, sizeof(c->name), k, kn, err, errlen, line))
					return -1;
				if (p.depth == 2 && is(&p, 0, "connections"))
					nconn++;
				if (p.depth == 4 && is(&p, 2, "children") && !c->child[0] &&
				    is(&p, 1, c->name) &&
				    set(c->child, sizeof(c->child), k, kn, err, errlen, line))
					return -1;
				if (p.depth == 2 && is(&p, 0, "secrets")) {
					if (nsec == MAX_SECRETS) {
						snprintf(err, errlen, "line %d: more than %d secrets",
							 line, MAX_SECRETS);
						return -1;
					}
					nsec++;
				}
				continue;
			}
			if (*s != '=') {
				snprintf(err, errlen, "line %d: expected '{' or '=' after %.*s",
					 line, (int)kn, k);
				return -1;
			}
			s++;
			while (s < e && isspace((unsigned char)*s))
				s++;
			/* to the end of the line or a '}'; "quoted" as it is */
			v = s;
			if (s < e && *s == '"') {
				const char *q = memchr(s + 1, '"', (size_t)(e - s - 1));
				/* '#' and '}' are the value's own here */

				if (!q) {
					snprintf(err, errlen, "line %d: unclosed quote", line);
					return -1;
				}
				v = s + 1;
				vn = (size_t)(q - v);
				s = q + 1;
			} else {
				while (s < e && *s != '}' && *s != '#')
					s++;
				vn = (size_t)(s - v);
				while (vn && isspace((unsigned char)v[vn - 1]))
					vn--;
			}
			if (is(&p, 0, "secrets"))
				dst = secret_slot(&sec[nsec ? nsec - 1 : 0], &p, k, kn, &cap, &bad);
			else
				dst = slot(c, &p, k, kn, &cap, &bad);
			if (bad) {
				snprintf(err, errlen, "line %d: %.*s is not a setting ksad-ike knows here",
					 line, (int)kn, k);
				return -1;
			}
			if (dst && set(dst, cap, v, vn, err, errlen, line))
				return -1;
		}
		s = *eol ? eol + 1 : eol;
		line++;
	}
	if (p.depth) {
		snprintf(err, errlen, "a '{' is never closed");
		return -1;
	}
	if (!c->name[0]) {
		snprintf(err, errlen, conn[0] ? "no connection %s" : "no connection", conn);
		memset(sec, 0, sizeof(sec));
		return -1;
	}
	pick_secret(c, sec, nsec);
	explicit_bzero(sec, sizeof(sec));
	return 0;
}

/* strongSwan's times: 3600, 3600s, 60m, 1h, 1d; -1 if not one. */
long ike_conf_seconds(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || v < 0)
		return -1;
	switch (*end) {
	case 0: case 's': return end[*end ? 1 : 0] ? -1 : v;
	case 'm': return end[1] ? -1 : v * 60;
	case 'h': return end[1] ? -1 : v * 3600;
	case 'd': return end[1] ? -1 : v * 86400;
	}
	return -1;
}
