// SPDX-License-Identifier: GPL-2.0
/*
 * The values of ksad-ike's options and of its config file: addresses,
 * traffic selectors (ADDR[/LEN]), proposals in strongSwan's syntax
 * (aes256gcm16-prfsha256-ecp256), the PSK file, and reading the file's
 * connections (config.c parses them).  Files holding a secret must be the
 * owner's only.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <openssl/crypto.h>

#include "../lib/alg.h"
#include "../lib/parse.h"
#include "daemon.h"

int ike_parse_addr(const char *s, struct ike_addr *a, uint16_t port)
{
	struct ksad_addr k;

	memset(a, 0, sizeof(*a));
	a->port = port;
	if (parse_addr(s, &k))
		return -1;
	a->family = k.family;
	if (k.family == AF_INET)
		memcpy(a->a, &k.v4, 4);
	else
		memcpy(a->a, &k.v6, 16);
	return 0;
}

/* ADDR[/LEN] as a traffic selector (all protocols and ports). */
int ike_parse_ts(const char *s, struct ike_ts *ts)
{
	char buf[64], *slash;
	struct ike_addr a;
	size_t alen;
	int plen;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = 0;
	if (ike_parse_addr(buf, &a, 0))
		return -1;
	alen = a.family == AF_INET ? 4 : 16;
	plen = slash ? atoi(slash + 1) : (int)alen * 8;
	if (plen < 0 || plen > (int)alen * 8)
		return -1;
	ike_ts_prefix(ts, a.family, a.a, (unsigned int)plen);
	return 0;
}

/*
 * What the IKE SA's own protection (sk.c) does: AES-GCM-16 and AES-CBC with
 * 128- or 256-bit keys, ChaCha20-Poly1305; integrity HMAC-SHA2-256-128.
 * ESP takes every algorithm ksad has (lib/alg.c names them).
 */
static bool ike_sk_has(const struct ike_suite *x)
{
	if (x->encr == IKE_ENCR_CHACHA20_POLY1305)
		return !x->integ;
	if (x->bits != 128 && x->bits != 256)
		return false;
	return (x->encr == IKE_ENCR_AES_GCM_16 && !x->integ) ||
	       (x->encr == IKE_ENCR_AES_CBC && x->integ == IKE_INTEG_SHA256_128);
}

/*
 * One strongSwan proposal: aes256gcm16-prfsha256-ecp256 (IKE), or
 * aes256-sha384, aes128gcm16-ecp256 (ESP, with a group for PFS).
 */
static int parse_suite(char *s, bool ike, struct ike_suite *is, struct esp_suite *es)
{
	struct ike_suite x = { 0 };
	char *tok, *save = NULL;
	struct alg_word w;

	for (tok = strtok_r(s, "-", &save); tok; tok = strtok_r(NULL, "-", &save)) {
		if (!alg_swan_word(tok, &w)) {
			if (w.integ ? x.integ != 0 : x.encr != 0)
				return -1;	/* two of a kind */
			if (w.integ) {
				x.integ = w.id;
			} else {
				x.encr = w.id;
				x.bits = w.bits;
			}
		} else if (!strcmp(tok, "prfsha256")) {
			x.prf = IKE_PRF_HMAC_SHA2_256;
		} else if (!strcmp(tok, "modp2048")) {
			x.dh = 14;
		} else if (!strcmp(tok, "ecp256")) {
			x.dh = 19;
		} else if (!strcmp(tok, "curve25519") || !strcmp(tok, "x25519")) {
			x.dh = 31;
		} else {
			return -1;
		}
	}
	if (!x.encr || alg_encr_combined(x.encr) != !x.integ)
		return -1;
	if (ike) {
		if (!x.prf)
			x.prf = IKE_PRF_HMAC_SHA2_256;	/* as strongSwan: from sha256 */
		if (!x.dh || !ike_sk_has(&x))
			return -1;
		*is = x;
	} else {
		es->encr = x.encr;
		es->bits = x.bits;
		es->integ = x.integ;
		es->dh = x.dh;	/* PFS in CREATE_CHILD_SA */
	}
	return 0;
}

int ike_parse_suites(const char *list, bool ike, struct ike_cfg *cfg)
{
	char buf[256], *tok, *save = NULL;
	size_t *n = ike ? &cfg->n_ike : &cfg->n_esp;

	snprintf(buf, sizeof(buf), "%s", list);
	*n = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (*n == 4 || parse_suite(tok, ike, &cfg->ike[*n], &cfg->esp[*n]))
			return -1;
		(*n)++;
	}
	return *n ? 0 : -1;
}

/* The PSK: the file's first line; the file readable by its owner only. */
int ike_read_psk(const char *path, struct ike_cfg *cfg)
{
	char line[256];
	struct stat st;
	FILE *f = fopen(path, "r");
	size_t len;

	if (!f)
		return die("cannot open the PSK file %s", path);
	if (fstat(fileno(f), &st) || (st.st_mode & 077)) {
		fclose(f);
		return die("%s is readable by group or others: chmod 600 it", path);
	}
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return die("%s is empty", path);
	}
	fclose(f);
	len = strcspn(line, "\r\n");
	if (!len || len > sizeof(cfg->psk))
		return die("bad PSK in %s", path);
	memcpy(cfg->psk, line, len);
	cfg->psk_len = len;
	OPENSSL_cleanse(line, sizeof(line));
	return 0;
}

/* The config file: owner-only if it holds a secret, like the PSK file. */
/*
 * Connection @conn of the file, or (@conn NULL) all of them, up to @max:
 * the file is read once.  Return: how many, or -1 (said why).
 */
int ike_load_conf(const char *path, const char *conn, struct ike_conf *confs, int max)
{
	static char text[65536];
	char err[160], which[16];
	struct stat st;
	FILE *f = fopen(path, "r");
	bool secret = false;
	size_t n;
	int i;

	if (!f) {
		die("cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	n = fread(text, 1, sizeof(text) - 1, f);
	if (fstat(fileno(f), &st) || !feof(f)) {
		fclose(f);
		die("%s: unreadable or larger than 64 KiB", path);
		return -1;
	}
	fclose(f);
	text[n] = 0;
	for (i = 0; i < (conn ? 1 : max); i++) {
		snprintf(which, sizeof(which), "#%d", i);
		if (ike_conf_parse(text, conn ? conn : which, &confs[i], err, sizeof(err)))
			break;
		secret |= confs[i].secret[0] != 0;
	}
	OPENSSL_cleanse(text, n);
	if (!i) {
		die("%s: %s", path, err);
		return -1;
	}
	if (secret && (st.st_mode & 077)) {
		die("%s holds a secret and is readable by group or others: chmod 600 it", path);
		return -1;
	}
	return i;
}
