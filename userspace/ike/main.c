// SPDX-License-Identifier: GPL-2.0
/*
 * ksad-ike: a small IKEv2 daemon that keys ksad (issue 6, first part).
 *
 *   ksad-ike --local ADDR --remote ADDR --psk-file FILE [--initiate]
 *            [--id ID] [--remote-id ID] [--mode tunnel|transport]
 *            [--local-ts PREFIX] [--remote-ts PREFIX] [--reqid N]
 *            [--ike PROPOSALS] [--esp PROPOSALS] [--port N]
 *            [--trace] [--once] [--no-kernel]
 *
 * PROPOSALS are strongSwan's: --ike aes256gcm16-prfsha256-ecp256,
 * aes128-sha256-modp2048; --esp aes128gcm16,chacha20poly1305,aes128-sha256.
 * The PSK file must not be readable by group or others.  --initiate starts
 * the exchange; without it ksad-ike answers.  --once exits when the CHILD
 * SA is up (0) or when it failed (1).  --trace prints the SAD operations as
 * they happen; --no-kernel only prints them (IKE without ksad).
 *
 * Done: IKE_SA_INIT (INVALID_KE_PAYLOAD and COOKIE retries), IKE_AUTH with
 * a PSK, the first CHILD SA in ksad in the seed's order, retransmission
 * with back-off, answers to retransmitted requests.  Not yet: see the
 * README (CREATE_CHILD_SA, INFORMATIONAL, NAT-T, ACQUIRE, a config file).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <openssl/crypto.h>

#include "kernel.h"

static int die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "ksad-ike: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	return 2;
}

static int parse_addr(const char *s, struct ike_addr *a, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->port = port;
	if (inet_pton(AF_INET, s, a->a) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, s, a->a) == 1)
		a->family = AF_INET6;
	return a->family ? 0 : -1;
}

/* ADDR[/LEN] as a traffic selector (all protocols and ports). */
static int parse_ts(const char *s, struct ike_ts *ts)
{
	char buf[64], *slash;
	struct ike_addr a;
	size_t alen, i;
	int plen;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = 0;
	if (parse_addr(buf, &a, 0))
		return -1;
	alen = a.family == AF_INET ? 4 : 16;
	plen = slash ? atoi(slash + 1) : (int)alen * 8;
	if (plen < 0 || plen > (int)alen * 8)
		return -1;
	memset(ts, 0, sizeof(*ts));
	ts->type = a.family == AF_INET ? 7 : 8;
	ts->end_port = 65535;
	for (i = 0; i < alen; i++) {
		int bits = plen - 8 * (int)i;
		uint8_t mask = bits >= 8 ? 0xff : bits <= 0 ? 0 : (uint8_t)(0xff << (8 - bits));

		ts->start[i] = a.a[i] & mask;
		ts->end[i] = (uint8_t)(a.a[i] | (uint8_t)~mask);
	}
	return 0;
}

/* One strongSwan proposal, e.g. aes256gcm16-prfsha256-ecp256. */
static int parse_suite(char *s, bool ike, struct ike_suite *is, struct esp_suite *es)
{
	struct ike_suite x = { 0 };
	char *tok, *save = NULL;

	for (tok = strtok_r(s, "-", &save); tok; tok = strtok_r(NULL, "-", &save)) {
		if (!strcmp(tok, "aes128gcm16") || !strcmp(tok, "aes256gcm16")) {
			x.encr = IKE_ENCR_AES_GCM_16;
			x.bits = tok[3] == '1' ? 128 : 256;
		} else if (!strcmp(tok, "aes128") || !strcmp(tok, "aes256")) {
			x.encr = IKE_ENCR_AES_CBC;
			x.bits = tok[3] == '1' ? 128 : 256;
		} else if (!strcmp(tok, "chacha20poly1305")) {
			x.encr = IKE_ENCR_CHACHA20_POLY1305;
			x.bits = 256;
		} else if (!strcmp(tok, "sha256")) {
			x.integ = IKE_INTEG_SHA256_128;
		} else if (!strcmp(tok, "prfsha256")) {
			x.prf = IKE_PRF_HMAC_SHA2_256;
		} else if (ike && !strcmp(tok, "modp2048")) {
			x.dh = 14;
		} else if (ike && !strcmp(tok, "ecp256")) {
			x.dh = 19;
		} else if (ike && (!strcmp(tok, "curve25519") || !strcmp(tok, "x25519"))) {
			x.dh = 31;
		} else {
			return -1;
		}
	}
	if (!x.encr || (x.encr == IKE_ENCR_AES_CBC && !x.integ))
		return -1;
	if (ike) {
		if (!x.prf)
			x.prf = IKE_PRF_HMAC_SHA2_256;	/* as strongSwan: from sha256 */
		if (!x.dh)
			return -1;
		*is = x;
	} else {
		es->encr = x.encr;
		es->bits = x.bits;
		es->integ = x.integ;
	}
	return 0;
}

static int parse_suites(const char *list, bool ike, struct ike_cfg *cfg)
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
static int read_psk(const char *path, struct ike_cfg *cfg)
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

static socklen_t to_sockaddr(const struct ike_addr *a, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(a->port);
		memcpy(&s4->sin_addr, a->a, 4);
		return sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(a->port);
		memcpy(&s6->sin6_addr, a->a, 16);
		return sizeof(*s6);
	}
}

/* A datagram to the peer; on the NAT-T port behind the non-ESP marker. */
static void send_ike(int fd, bool natt, const uint8_t *msg, size_t len,
		     const struct sockaddr_storage *to, socklen_t tolen)
{
	static uint8_t buf[65536 + 4];

	if (natt) {
		memset(buf, 0, 4);
		memcpy(buf + 4, msg, len);
		sendto(fd, buf, len + 4, 0, (const struct sockaddr *)to, tolen);
	} else {
		sendto(fd, msg, len, 0, (const struct sockaddr *)to, tolen);
	}
}

static void to_ike_addr(const struct sockaddr_storage *ss, struct ike_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->family = ss->ss_family;
	if (a->family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;

		memcpy(a->a, &s4->sin_addr, 4);
		a->port = ntohs(s4->sin_port);
	} else {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;

		memcpy(a->a, &s6->sin6_addr, 16);
		a->port = ntohs(s6->sin6_port);
	}
}

static uint16_t port_of(const struct sockaddr_storage *ss)
{
	return ntohs(ss->ss_family == AF_INET ?
		     ((const struct sockaddr_in *)ss)->sin_port :
		     ((const struct sockaddr_in6 *)ss)->sin6_port);
}

static const char *state_name(enum ike_state s)
{
	static const char *const names[] = { "idle", "IKE_SA_INIT sent",
		"IKE_AUTH sent", "IKE_SA_INIT answered", "established", "failed" };

	return names[s];
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "local", 1, NULL, 'l' }, { "remote", 1, NULL, 'r' },
		{ "id", 1, NULL, 'i' }, { "remote-id", 1, NULL, 'R' },
		{ "psk-file", 1, NULL, 'p' }, { "initiate", 0, NULL, 'I' },
		{ "mode", 1, NULL, 'm' }, { "local-ts", 1, NULL, 'L' },
		{ "remote-ts", 1, NULL, 'T' }, { "reqid", 1, NULL, 'q' },
		{ "ike", 1, NULL, 'k' }, { "esp", 1, NULL, 'e' },
		{ "port", 1, NULL, 'P' }, { "remote-port", 1, NULL, 'Q' },
		{ "natt-port", 1, NULL, 'N' },
		{ "trace", 0, NULL, 't' }, { "once", 0, NULL, 'o' },
		{ "no-kernel", 0, NULL, 'n' }, { NULL, 0, NULL, 0 },
	};
	static struct ike_cfg cfg;
	static struct ike_sa sa;
	static uint8_t in[65536], out[65536], last[65536];
	const char *local = NULL, *remote = NULL, *psk = NULL, *lts = NULL, *rts = NULL;
	const char *ike = "aes256gcm16-prfsha256-ecp256,aes128-sha256-modp2048";
	const char *esp = "aes128gcm16,aes256gcm16,chacha20poly1305,aes128-sha256";
	struct ike_ksad ks = { .trace = NULL };
	struct ike_kernel k;
	struct sockaddr_storage ss, peer;
	uint16_t port = 500, rport = 500, nport = 4500;
	bool initiate = false, once = false;
	size_t len = 0, last_len = 0;
	int c, fds[2], fd, tries = 0, timeout_ms = 1000;
	bool last_natt = false;
	struct ike_addr nat_local;
	socklen_t slen, last_to_len = 0;
	struct sockaddr_storage last_to;

	cfg.mode = 2;
	cfg.reqid = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'l': local = optarg; break;
		case 'r': remote = optarg; break;
		case 'i': snprintf(cfg.local_id, sizeof(cfg.local_id), "%s", optarg); break;
		case 'R': snprintf(cfg.remote_id, sizeof(cfg.remote_id), "%s", optarg); break;
		case 'p': psk = optarg; break;
		case 'I': initiate = true; break;
		case 'm':
			if (strcmp(optarg, "tunnel") && strcmp(optarg, "transport"))
				return die("mode is tunnel or transport, not %s", optarg);
			cfg.mode = optarg[1] == 'r' ? 1 : 2;
			break;
		case 'L': lts = optarg; break;
		case 'T': rts = optarg; break;
		case 'q': cfg.reqid = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'k': ike = optarg; break;
		case 'e': esp = optarg; break;
		case 'P': port = (uint16_t)atoi(optarg); break;
		case 'Q': rport = (uint16_t)atoi(optarg); break;
		case 'N': nport = (uint16_t)atoi(optarg); break;
		case 't': ks.trace = stdout; break;
		case 'o': once = true; break;
		case 'n': ks.dry = true; break;
		default: return 2;
		}
	}
	if (!local || !remote || !psk)
		return die("%s", "--local, --remote and --psk-file are required");
	if (parse_addr(local, &cfg.local, port) || parse_addr(remote, &cfg.remote, rport) ||
	    cfg.local.family != cfg.remote.family)
		return die("%s", "bad --local or --remote address");
	if (parse_suites(ike, true, &cfg))
		return die("bad --ike proposals: %s", ike);
	if (parse_suites(esp, false, &cfg))
		return die("bad --esp proposals: %s", esp);
	if (parse_ts(lts ? lts : local, &cfg.local_ts) || parse_ts(rts ? rts : remote, &cfg.remote_ts))
		return die("%s", "bad --local-ts or --remote-ts");
	if (!cfg.local_id[0])
		snprintf(cfg.local_id, sizeof(cfg.local_id), "%s", local);
	if (read_psk(psk, &cfg))
		return 2;
	ks.role = initiate ? 'I' : 'R';
	if (ike_ksad_open(&ks))
		return die("%s", "ksad is not loaded (or no CAP_NET_ADMIN)");
	if (ike_ksad_bypass_ike(&ks, &cfg))
		return die("%s", "could not add the bypass policies for IKE");
	k = ike_ksad_ops;
	k.ctx = &ks;

	/* IKE on the IKE port, and behind the non-ESP marker on the NAT-T port */
	nat_local = cfg.local;
	nat_local.port = nport;
	for (c = 0; c < 2; c++) {
		fds[c] = socket(cfg.local.family, SOCK_DGRAM, 0);
		slen = to_sockaddr(c ? &nat_local : &cfg.local, &ss);
		if (fds[c] < 0 || bind(fds[c], (struct sockaddr *)&ss, slen))
			return die("cannot bind UDP port %u: %s", c ? nport : port,
				   strerror(errno));
	}
	fd = fds[0];
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (initiate) {
		if (ike_sa_initiate(&sa, &cfg, &k, out, sizeof(out), &len))
			return die("cannot start: %s", sa.why);
		memcpy(last, out, len);
		last_len = len;
		slen = to_sockaddr(&cfg.remote, &peer);
		last_to = peer;
		last_to_len = slen;
		send_ike(fd, false, last, last_len, &last_to, last_to_len);
		printf("ksad-ike: IKE_SA_INIT -> %s\n", remote);
	}
	for (;;) {
		struct pollfd p[2] = { { .fd = fds[0], .events = POLLIN },
				       { .fd = fds[1], .events = POLLIN } };
		struct sockaddr_storage from;
		socklen_t flen = sizeof(from);
		enum ike_state before = sa.state;
		bool natt;
		ssize_t n;
		int rc;

		rc = poll(p, 2, timeout_ms);
		if (rc == 0) {
			/* retransmit the outstanding request, 1, 2, 4, 8 s */
			if (sa.initiator && sa.state != IKE_ESTABLISHED && last_len) {
				if (++tries > 4) {
					printf("ksad-ike: no answer from %s, giving up\n", remote);
					return 1;
				}
				send_ike(last_natt ? fds[1] : fds[0], last_natt, last,
					 last_len, &last_to, last_to_len);
				timeout_ms *= 2;
			}
			continue;
		}
		natt = !(p[0].revents & POLLIN);
		fd = fds[natt];
		n = recvfrom(fd, in, sizeof(in), 0, (struct sockaddr *)&from, &flen);
		if (n <= 0)
			continue;
		if (natt) {
			/* IKE after the non-ESP marker (ESP in UDP is ksad's) */
			if (n < 4 + IKE_HDR_LEN || in[0] || in[1] || in[2] || in[3])
				continue;
			n -= 4;
			memmove(in, in + 4, (size_t)n);
			sa.natt = true;
			sa.natt_local_port = nport;
			sa.natt_peer_port = port_of(&from);
		}
		len = 0;
		if (!sa.initiator && (sa.state == IKE_INIT_DONE || sa.state == IKE_ESTABLISHED) &&
		    n >= IKE_HDR_LEN && in[18] == IKE_SA_INIT && !(in[19] & IKE_FLAG_RESPONSE) &&
		    !memcmp(in, sa.init_req, 8)) {
			/* a retransmitted IKE_SA_INIT request: our answer again */
			send_ike(fd, natt, sa.init_resp, sa.init_resp_len, &from, flen);
			continue;
		}
		if (!sa.initiator && (sa.state == IKE_IDLE || sa.state == IKE_FAILED ||
				      sa.state == IKE_ESTABLISHED) &&
		    n >= IKE_HDR_LEN && in[18] == IKE_SA_INIT && !(in[19] & IKE_FLAG_RESPONSE)) {
			struct ike_addr fa;

			to_ike_addr(&from, &fa);
			ike_sa_free(&sa);
			rc = ike_sa_respond(&sa, &cfg, &k, &fa, in, (size_t)n, out,
					    sizeof(out), &len);
			sa.natt = natt;
			sa.natt_local_port = nport;
			sa.natt_peer_port = port_of(&from);
		} else if (!sa.initiator && last_len && (size_t)n >= IKE_HDR_LEN &&
			   sa.state != IKE_INIT_DONE && !memcmp(in, sa.init_req, 8) &&
			   in[18] == IKE_AUTH) {
			/* a retransmitted IKE_AUTH request: the same answer again */
			send_ike(fd, natt, last, last_len, &from, flen);
			continue;
		} else {
			rc = ike_sa_input(&sa, in, (size_t)n, out, sizeof(out), &len);
		}
		if (len && sa.initiator && sa.nat_detected && !natt &&
		    sa.state == IKE_AUTH_SENT) {
			/* a NAT between us: IKE_AUTH and the rest go to 4500 */
			struct ike_addr r = cfg.remote;

			r.port = nport;
			flen = to_sockaddr(&r, &from);
			natt = true;
			fd = fds[1];
			sa.natt = true;
			sa.natt_local_port = nport;
			sa.natt_peer_port = nport;
			printf("ksad-ike: NAT detected, floating to port %u\n", nport);
		}
		if (len) {
			memcpy(last, out, len);
			last_len = len;
			last_natt = natt;
			last_to = from;
			last_to_len = flen;
			tries = 0;
			timeout_ms = 1000;
			send_ike(fd, natt, out, len, &from, flen);
		}
		if (sa.state != before)
			printf("ksad-ike: %s\n", state_name(sa.state));
		if (rc || sa.state == IKE_FAILED) {
			printf("ksad-ike: failed: %s (notify %u)\n", sa.why ? sa.why : "?", sa.notify);
			if (sa.initiator || once)
				return 1;
		}
		if (sa.state == IKE_ESTABLISHED && before != IKE_ESTABLISHED) {
			printf("ksad-ike: CHILD SA up: in 0x%08x out 0x%08x\n",
			       sa.child.spi_in, sa.child.spi_out);
			if (once)
				return 0;
		}
	}
}
