// SPDX-License-Identifier: GPL-2.0
/*
 * ksad-ike: a small IKEv2 daemon that keys ksad (issue 6).
 *
 *   ksad-ike --local ADDR --remote ADDR --psk-file FILE
 *            [--initiate | --on-demand] [--id ID] [--remote-id ID]
 *            [--mode tunnel|transport] [--local-ts PREFIX] [--remote-ts PREFIX]
 *            [--reqid N] [--ike PROPOSALS] [--esp PROPOSALS] [--lifetime S]
 *            [--port N] [--ctl SOCKET] [--cookie-threshold N] [--keepalive S]
 *            [--log 0|1|2] [--trace] [--once] [--no-kernel]
 *   ksad-ike --config FILE [--conn NAME] [options]
 *   ksad-ike ctl SOCKET [CONN] list|initiate|rekey-child [SLOT]|rekey-ike|
 *                       delete-child [SLOT]|delete-ike|terminate|dpd|
 *                       new-child LOCAL-PREFIX REMOTE-PREFIX
 *   ksad-ike columns        (both peers' --trace in, the seed's diagram out)
 *
 * PROPOSALS are strongSwan's: --ike aes256gcm16-prfsha256-ecp256,
 * aes128-sha256-modp2048; --esp aes128gcm16,chacha20poly1305,aes128-sha256,
 * with a group for PFS in CREATE_CHILD_SA: --esp aes128gcm16-ecp256.
 * The PSK file must not be readable by group or others.  --initiate starts
 * the exchange; --on-demand installs the outbound policy and starts when
 * ksad sends ACQUIRE for it; otherwise ksad-ike answers.  --lifetime gives
 * the CHILD SAs a hard lifetime in ksad and a soft one at 80-90 % of it: the
 * soft EXPIRE makes ksad-ike rekey, a hard one delete.  --once exits when
 * the CHILD SA is up (0) or when it failed (1).  --trace prints the SAD
 * operations, the messages sent and the events as they happen; --no-kernel
 * only prints them (IKE without ksad).  --ctl takes commands on a unix
 * socket (mode 0600).  --cookie-threshold: with this many half-open IKE
 * SAs (IKE_SA_INIT answered, no IKE_AUTH yet, last 30 s; default 10, 0:
 * always) a new initiator must return a COOKIE first.  --config reads the
 * connections of a file in strongSwan's swanctl.conf syntax (config.c), or
 * only --conn NAME; with one, the command line wins over the file.  Several
 * connections (up to 8) share the IKE ports and their local address; each
 * has its own IKE SA, reqids (1, 5, 9, ...: IKE_MAX_CHILDREN apart) and
 * ksad sockets; a datagram goes to the connection whose IKE SA has its
 * SPIs, a new IKE_SA_INIT to the first connection with the sender as peer;
 * control commands take the connection's name first (`ctl SOCK bob
 * rekey-child`).  --keepalive: NAT
 * keepalive interval when the NAT is on our side (default 20 s).  --log: 0
 * failures only, 1 (default) events too, 2 every IKE message as well.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "../../uapi/linux/ksad.h"
#include "config.h"
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
	size_t alen;
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
	ike_ts_prefix(ts, a.family, a.a, (unsigned int)plen);
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
		es->dh = x.dh;	/* PFS in CREATE_CHILD_SA */
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

/* The config file: owner-only if it holds a secret, like the PSK file. */
/*
 * Connection @conn of the file, or (@conn NULL) all of them, up to @max:
 * the file is read once.  Return: how many, or -1 (said why).
 */
static int load_conf(const char *path, const char *conn, struct ike_conf *confs, int max)
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
		"IKE_AUTH sent", "IKE_SA_INIT answered", "established", "failed",
		"rekeyed", "deleted" };

	return names[s];
}

static const char usage[] =
	"usage: ksad-ike --local ADDR --remote ADDR --psk-file FILE\n"
	"                [--initiate | --on-demand] [--id ID] [--remote-id ID]\n"
	"                [--mode tunnel|transport] [--local-ts PREFIX] [--remote-ts PREFIX]\n"
	"                [--reqid N] [--ike PROPOSALS] [--esp PROPOSALS] [--lifetime S]\n"
	"                [--port N] [--remote-port N] [--natt-port N] [--ctl SOCKET]\n"
	"                [--cookie-threshold N] [--keepalive S] [--log 0|1|2]\n"
	"                [--trace] [--once] [--no-kernel]\n"
	"       ksad-ike --config FILE [--conn NAME] [options]\n"
	"       ksad-ike ctl SOCKET [CONN] COMMAND [ARGS]   (ctl SOCKET help lists them)\n"
	"       ksad-ike columns                     (two --trace outputs side by side)\n";

/* --- the control socket: ksad-ike ctl SOCKET COMMAND ---------------------- */

static const char ctl_help[] =
	"commands: list, initiate, rekey-child [SLOT], rekey-ike, delete-child [SLOT], "
	"delete-ike (terminate), dpd, new-child LOCAL-PREFIX REMOTE-PREFIX\n";

static int ctl_listen(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	if (fd < 0 || strlen(path) >= sizeof(sun.sun_path))
		return -1;
	strcpy(sun.sun_path, path);
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) || chmod(path, 0600) ||
	    listen(fd, 4)) {
		close(fd);
		return -1;
	}
	return fd;
}

static int ctl_client(const char *path, const char *cmd)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval limit = { .tv_sec = 10 };
	char reply[4096];
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ssize_t n = 0;
	size_t got = 0;

	if (fd < 0 || strlen(path) >= sizeof(sun.sun_path))
		return die("bad control socket %s", path);
	strcpy(sun.sun_path, path);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)))
		return die("cannot reach ksad-ike at %s: %s", path, strerror(errno));
	/* a daemon that is stuck must not hang its controller too */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof(limit));
	if (write(fd, cmd, strlen(cmd)) < 0 || shutdown(fd, SHUT_WR))
		return die("%s", "cannot send the command");
	while (got < sizeof(reply) - 1 &&
	       (n = read(fd, reply + got, sizeof(reply) - 1 - got)) > 0)
		got += (size_t)n;
	close(fd);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return die("no answer from ksad-ike at %s in %ld s", path, (long)limit.tv_sec);
	reply[got] = 0;
	fputs(reply, stdout);
	return strncmp(reply, "ok", 2) ? 1 : 0;
}

static size_t list_sa(const struct ike_sa *sa, const char *what, char *out, size_t cap)
{
	char l[80], r[80];
	size_t n;
	int i;

	n = (size_t)snprintf(out, cap, "%s IKE SA 0x%016llx_i 0x%016llx_r %s (%s)\n", what,
			     (unsigned long long)sa->spi_i, (unsigned long long)sa->spi_r,
			     state_name(sa->state), sa->initiator ? "initiator" : "responder");
	for (i = 0; i < IKE_MAX_CHILDREN; i++)
		if (n < cap && sa->child_up[i])
			n += (size_t)snprintf(out + n, cap - n,
					      "  CHILD SA in 0x%08x out 0x%08x reqid %u slot %d%s %s === %s\n",
					      sa->child[i].spi_in, sa->child[i].spi_out,
					      sa->child[i].reqid, i,
					      sa->child[i].encap ? " (ESP in UDP)" : "",
					      ike_ts_str(&sa->child[i].ts_local, l, sizeof(l)),
					      ike_ts_str(&sa->child[i].ts_remote, r, sizeof(r)));
	if (n < cap && sa->has_old)
		n += (size_t)snprintf(out + n, cap - n, "  old CHILD SA in 0x%08x out 0x%08x\n",
				      sa->old.spi_in, sa->old.spi_out);
	if (n < cap && sa->has_extra)
		n += (size_t)snprintf(out + n, cap - n,
				      "  redundant CHILD SA (rekey collision) in 0x%08x out 0x%08x\n",
				      sa->extra.spi_in, sa->extra.spi_out);
	return n < cap ? n : cap;
}

/* --- the daemon ------------------------------------------------------------ */

static struct ike_ksad *trace_ks;	/* with --trace: events go to the trace */
static int log_level = 1;		/* 0 errors, 1 events, 2 messages too */
static char conn_tag[72];		/* "NAME: " with several connections */

/*
 * What happened, for the log (level 1: events; failures use level 0, each
 * IKE message level 2); with --trace a NOTE line of the trace.
 */
static void say_at(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say_at(int level, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (trace_ks)
		ike_ksad_note(trace_ks, "NOTE", "%s%s", conn_tag, msg);
	else
		printf("ksad-ike: %s%s\n", conn_tag, msg);
}

#define say(...)	say_at(1, __VA_ARGS__)

/* The trace's name for a message we send. */
static const char *msg_label(const struct ike_sa *sa, const uint8_t *msg)
{
	static const char *const req[] = {
		[IKE_REQ_DPD] = "INFORMATIONAL (liveness)",
		[IKE_REQ_REKEY_CHILD] = "CREATE_CHILD_SA (rekey CHILD SA)",
		[IKE_REQ_REKEY_IKE] = "CREATE_CHILD_SA (rekey IKE SA)",
		[IKE_REQ_DELETE_CHILD] = "INFORMATIONAL (Delete CHILD SA)",
		[IKE_REQ_DELETE_OLD_CHILD] = "INFORMATIONAL (Delete old CHILD SA)",
		[IKE_REQ_DELETE_IKE] = "INFORMATIONAL (Delete IKE SA)",
		[IKE_REQ_NEW_CHILD] = "CREATE_CHILD_SA (new CHILD SA)",
		[IKE_REQ_DELETE_EXTRA] = "INFORMATIONAL (Delete redundant CHILD SA)",
	};
	static char buf[64];
	static const char *const xchg[] = { "IKE_SA_INIT", "IKE_AUTH", "CREATE_CHILD_SA",
					    "INFORMATIONAL" };
	const char *x = msg[18] >= IKE_SA_INIT && msg[18] <= IKE_INFORMATIONAL ?
			xchg[msg[18] - IKE_SA_INIT] : "?";

	if (!(msg[19] & IKE_FLAG_RESPONSE) && msg[18] > IKE_AUTH && sa->pending &&
	    (size_t)sa->pending < sizeof(req) / sizeof(req[0]) && req[sa->pending])
		return req[sa->pending];
	snprintf(buf, sizeof(buf), "%s %s", x, msg[19] & IKE_FLAG_RESPONSE ? "response" : "request");
	return buf;
}

struct daemon {
	char name[64];			/* the connection's (several in one file) */
	bool stay;			/* several connections: never exit on one */
	struct ike_ksad ks_store;
	struct ike_cfg cfg;
	struct ike_kernel k;
	struct ike_sa sas[2];
	struct ike_sa *sa, *old;	/* the current IKE SA; one being replaced */
	int fds[2];			/* IKE port, NAT-T port */
	uint16_t nport;
	struct sockaddr_storage to;	/* the peer, as last heard from */
	socklen_t to_len;
	bool to_natt;
	int tries[2];			/* retransmissions, per SA slot */
	long long due[2];		/* next retransmission (ms), 0: none */
	bool once, initiate, on_demand;
	struct ike_ksad *ks;
	int efd;			/* its ACQUIRE and EXPIRE */
	/* a request ksad's EXPIRE asked for, when it could not go at once */
	enum ike_req todo;
	long long todo_due;
	uint32_t todo_spi;		/* for the CHILD SA with this inbound SPI */
	/*
	 * Half-open IKE SAs: IKE_SA_INIT answered, IKE_AUTH not (yet) seen,
	 * in the last HALF_OPEN_S seconds.  At cookie_threshold of them,
	 * new initiators must show a COOKIE first (2.6).
	 */
	struct { uint64_t spi; long long at; } half_open[16];
	int cookie_threshold;
	int keepalive_s;		/* NAT keepalive interval (RFC 3948 4) */
	long long keepalive_due;
};

#define HALF_OPEN_S	30
#define MAX_CONNS	8

static bool tracing;			/* --trace */

/* Log and trace as connection @d from here on. */
static void use(struct daemon *d)
{
	trace_ks = tracing ? d->ks : NULL;
	if (d->stay)
		snprintf(conn_tag, sizeof(conn_tag), "%.63s: ", d->name);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int slot(const struct daemon *d, const struct ike_sa *sa)
{
	return sa == &d->sas[1];
}

/* Send what an SA produced; a request is retransmitted 1, 2, 4, 8 s on. */
static void emit(struct daemon *d, struct ike_sa *sa, const uint8_t *msg, size_t len)
{
	if (!len)
		return;
	if (trace_ks)
		ike_ksad_note(trace_ks, "SEND", "%s", msg_label(sa, msg));
	else
		say_at(2, "sent %s, %zu bytes", msg_label(sa, msg), len);
	send_ike(d->fds[d->to_natt], d->to_natt, msg, len, &d->to, d->to_len);
	if (!(msg[19] & IKE_FLAG_RESPONSE)) {
		d->tries[slot(d, sa)] = 0;
		d->due[slot(d, sa)] = now_ms() + 1000;
	}
}

static bool awaiting(const struct ike_sa *sa)
{
	return sa->state == IKE_INIT_SENT || sa->state == IKE_AUTH_SENT ||
	       ((sa->state == IKE_ESTABLISHED || sa->state == IKE_REKEYED) &&
		sa->pending);
}

static void report(struct daemon *d, struct ike_sa *sa, enum ike_state before)
{
	if (sa->event[0])
		say("%s", sa->event);
	sa->event[0] = 0;
	if (sa->state != before && sa->state != IKE_REKEYED && sa != d->old)
		say("%s", state_name(sa->state));
	if (sa->state == IKE_ESTABLISHED && before != IKE_ESTABLISHED && sa->child_up[0] &&
	    (before == IKE_AUTH_SENT || before == IKE_INIT_DONE))
		say("CHILD SA up: in 0x%08x out 0x%08x",
		       sa->child[0].spi_in, sa->child[0].spi_out);
	if (sa->rekeyed) {
		/* an IKE rekey: the new SA takes over, the old one waits for its Delete */
		sa->rekeyed = false;
		d->old = sa;
		d->sa = sa->successor;
		d->due[slot(d, d->sa)] = 0;
	}
	if (d->old && d->old->state == IKE_DELETED) {
		d->due[slot(d, d->old)] = 0;
		ike_sa_free(d->old);
		d->old = NULL;
	}
	d->sa->successor = d->old ? NULL : &d->sas[!slot(d, d->sa)];
}

static int start(struct daemon *d)
{
	uint8_t out[4096];
	size_t len;

	d->sa = &d->sas[0];
	ike_sa_free(d->sa);
	if (ike_sa_initiate(d->sa, &d->cfg, &d->k, out, sizeof(out), &len))
		return -1;
	d->to_len = to_sockaddr(&d->cfg.remote, &d->to);
	d->to_natt = false;
	emit(d, d->sa, out, len);
	return 0;
}

static struct daemon *ctl_serve(struct daemon *conns, int n_conns, int lfd)
{
	static const struct { const char *name; enum ike_req req; } reqs[] = {
		{ "rekey-child", IKE_REQ_REKEY_CHILD }, { "rekey-ike", IKE_REQ_REKEY_IKE },
		{ "delete-child", IKE_REQ_DELETE_CHILD }, { "delete-ike", IKE_REQ_DELETE_IKE },
		{ "terminate", IKE_REQ_DELETE_IKE }, { "dpd", IKE_REQ_DPD },
	};
	const struct timeval patience = { .tv_sec = 1 };
	char buf[160], *cmd = buf, reply[4096], a1[64] = "", a2[64] = "";
	struct daemon *d = &conns[0];
	bool all = n_conns > 1;
	uint8_t out[4096];
	size_t len, n = 0, i;
	ssize_t got;
	int fd = accept(lfd, NULL, NULL), rc, nargs, c;

	if (fd < 0)
		return NULL;
	/* a controller that connects and says nothing must not stall the daemon */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &patience, sizeof(patience));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &patience, sizeof(patience));
	got = read(fd, buf, sizeof(buf) - 1);
	buf[got > 0 ? got : 0] = 0;
	buf[strcspn(buf, "\r\n")] = 0;
	/* several connections: "NAME COMMAND ..." picks one (else the first) */
	for (c = 0; c < n_conns && n_conns > 1; c++) {
		size_t nl = strlen(conns[c].name);

		if (!strncmp(cmd, conns[c].name, nl) && cmd[nl] == ' ') {
			d = &conns[c];
			cmd += nl + 1;
			all = false;
			break;
		}
	}
	use(d);
	nargs = sscanf(cmd, "%*s %63s %63s", a1, a2);
	cmd[strcspn(cmd, " ")] = 0;
	if (!strcmp(cmd, "list")) {
		n = (size_t)snprintf(reply, sizeof(reply), "ok\n");
		for (c = 0; c < n_conns && n < sizeof(reply); c++) {
			struct daemon *x = all ? &conns[c] : d;

			if (n_conns > 1 && n < sizeof(reply))
				n += (size_t)snprintf(reply + n, sizeof(reply) - n,
						      "connection %s\n", x->name);
			if (n < sizeof(reply))
				n += list_sa(x->sa, "current", reply + n, sizeof(reply) - n);
			if (x->old && n < sizeof(reply))
				n += list_sa(x->old, "old", reply + n, sizeof(reply) - n);
			if (!all)
				break;
		}
	} else if (!strcmp(cmd, "initiate")) {
		if (d->sa->state != IKE_IDLE && d->sa->state != IKE_DELETED &&
		    d->sa->state != IKE_FAILED)
			n = (size_t)snprintf(reply, sizeof(reply), "error: an IKE SA exists\n");
		else if (start(d))
			n = (size_t)snprintf(reply, sizeof(reply), "error: %s\n", d->sa->why);
		else
			n = (size_t)snprintf(reply, sizeof(reply), "ok: IKE_SA_INIT sent\n");
	} else if (!strcmp(cmd, "new-child")) {
		struct ike_ts lts, rts;
		enum ike_state before = d->sa->state;

		if (nargs != 2 || parse_ts(a1, &lts) || parse_ts(a2, &rts)) {
			n = (size_t)snprintf(reply, sizeof(reply),
					     "error: new-child LOCAL-PREFIX REMOTE-PREFIX\n");
		} else {
			rc = ike_sa_new_child(d->sa, &lts, &rts, out, sizeof(out), &len);
			n = (size_t)snprintf(reply, sizeof(reply), "%s\n",
					     !rc ? "ok: new-child sent" :
					     rc == -EBUSY ? "error: busy (a request is under way)" :
					     rc == -ENOSPC ? "error: no room for another CHILD SA" :
					     "error: no established IKE SA");
			report(d, d->sa, before);
			emit(d, d->sa, out, len);
		}
	} else {
		for (i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++)
			if (!strcmp(cmd, reqs[i].name))
				break;
		if (i == sizeof(reqs) / sizeof(reqs[0])) {
			n = (size_t)snprintf(reply, sizeof(reply), "error: unknown command; %s",
					     ctl_help);
		} else {
			enum ike_state before = d->sa->state;

			/* rekey-child and delete-child take a slot (list shows them) */
			d->sa->target = nargs >= 1 ? atoi(a1) : 0;
			rc = ike_sa_request(d->sa, reqs[i].req, out, sizeof(out), &len);
			d->sa->target = 0;
			if (rc == -EBUSY)
				n = (size_t)snprintf(reply, sizeof(reply),
						     "error: busy (a request or rekey is under way)\n");
			else if (rc)
				n = (size_t)snprintf(reply, sizeof(reply),
						     "error: no established IKE SA or CHILD SA for it\n");
			else
				n = (size_t)snprintf(reply, sizeof(reply), "ok: %s sent\n", cmd);
			report(d, d->sa, before);
			emit(d, d->sa, out, len);
		}
	}
	if (write(fd, reply, n < sizeof(reply) ? n : sizeof(reply) - 1) < 0)
		perror("ksad-ike: control reply");
	close(fd);
	return d;
}

/* A retransmission timer ran out. Return: 1 when the daemon should exit. */
static int expire(struct daemon *d, struct ike_sa *sa)
{
	int s = slot(d, sa);

	if (!awaiting(sa)) {
		d->due[s] = 0;
		return 0;
	}
	if (++d->tries[s] > 4) {
		d->due[s] = 0;
		if (sa->state == IKE_INIT_SENT || sa->state == IKE_AUTH_SENT) {
			say_at(0, "no answer from the peer, giving up");
			sa->state = IKE_FAILED;
			return !d->stay;
		}
		say_at(0, "no answer from the peer: it is dead; its SAs go");
		ike_sa_dead(sa);
		report(d, sa, IKE_ESTABLISHED);
		return d->initiate && !d->on_demand && sa == d->sa && !d->stay;
	}
	if (trace_ks)
		ike_ksad_note(trace_ks, "SEND", "%s (again)", msg_label(sa, sa->req));
	send_ike(d->fds[d->to_natt], d->to_natt, sa->req, sa->req_len, &d->to, d->to_len);
	d->due[s] = now_ms() + (1000LL << d->tries[s]);
	return 0;
}

/* Count (and forget the stale) half-open SAs; @spi: add it, or 0. */
static int half_open(struct daemon *d, uint64_t add, uint64_t done)
{
	long long now = now_ms();
	int i, n = 0, free_at = -1;

	for (i = 0; i < 16; i++) {
		if (d->half_open[i].spi &&
		    (now - d->half_open[i].at > HALF_OPEN_S * 1000 ||
		     d->half_open[i].spi == done))
			d->half_open[i].spi = 0;
		if (d->half_open[i].spi)
			n++;
		else if (free_at < 0)
			free_at = i;
	}
	if (add) {
		/* full: the oldest goes */
		if (free_at < 0)
			for (free_at = 0, i = 1; i < 16; i++)
				if (d->half_open[i].at < d->half_open[free_at].at)
					free_at = i;
		d->half_open[free_at].spi = add;
		d->half_open[free_at].at = now;
		n++;
	}
	return n;
}

/* One datagram from the peer. Return: 0 go on, 1 exit 0, 2 exit 1. */
static int receive(struct daemon *d, bool natt, uint8_t *in, size_t n,
		   const struct sockaddr_storage *from, socklen_t flen)
{
	static uint8_t out[65536];
	struct ike_sa *sa = d->sa;
	enum ike_state before;
	uint64_t spi_i = 0, spi_r = 0;
	size_t len = 0, i;
	int rc;

	if (n < IKE_HDR_LEN)
		return 0;
	say_at(2, "received exchange %u %s, message ID %u, %zu bytes", in[18],
	       in[19] & IKE_FLAG_RESPONSE ? "response" : "request",
	       (unsigned int)in[20] << 24 | (unsigned int)in[21] << 16 |
	       (unsigned int)in[22] << 8 | in[23], n);
	for (i = 0; i < 8; i++) {
		spi_i = spi_i << 8 | in[i];
		spi_r = spi_r << 8 | in[8 + i];
	}
	if (d->old && spi_i == d->old->spi_i && spi_r == d->old->spi_r)
		sa = d->old;
	before = sa->state;
	if (!sa->initiator && (sa->state == IKE_INIT_DONE || sa->state == IKE_ESTABLISHED) &&
	    in[18] == IKE_SA_INIT && !(in[19] & IKE_FLAG_RESPONSE) &&
	    !memcmp(in, sa->init_req, 8)) {
		/* a retransmitted IKE_SA_INIT request: our answer again */
		send_ike(d->fds[natt], natt, sa->init_resp, sa->init_resp_len, from, flen);
		return 0;
	}
	d->to = *from;
	d->to_len = flen;
	d->to_natt = natt;
	if ((sa->state == IKE_IDLE || sa->state == IKE_FAILED || sa->state == IKE_DELETED ||
	     (!sa->initiator && sa->state == IKE_ESTABLISHED && !d->old)) &&
	    in[18] == IKE_SA_INIT && !(in[19] & IKE_FLAG_RESPONSE) && !spi_r) {
		struct ike_addr fa;

		if (sa->state == IKE_ESTABLISHED)
			ike_sa_dead(sa);	/* the peer started over */
		to_ike_addr(from, &fa);
		sa = d->sa = &d->sas[0];
		ike_sa_free(sa);
		d->cfg.cookies = half_open(d, 0, 0) >= d->cookie_threshold;
		rc = ike_sa_respond(sa, &d->cfg, &d->k, &fa, in, n, out, sizeof(out), &len);
		if (sa->state == IKE_INIT_DONE)
			half_open(d, sa->spi_i, 0);
		before = IKE_IDLE;
		sa->natt = natt;
		sa->natt_local_port = d->nport;
		sa->natt_peer_port = port_of(from);
	} else {
		if (natt && !sa->natt) {
			sa->natt = true;
			sa->natt_local_port = d->nport;
			sa->natt_peer_port = port_of(from);
		}
		sa->successor = d->old ? NULL : &d->sas[!slot(d, d->sa)];
		rc = ike_sa_input(sa, in, n, out, sizeof(out), &len);
	}
	if (len && sa->initiator && sa->nat_detected && !natt && sa->state == IKE_AUTH_SENT) {
		/* a NAT between us: IKE_AUTH and the rest go to 4500 */
		struct ike_addr r = d->cfg.remote;

		r.port = d->nport;
		d->to_len = to_sockaddr(&r, &d->to);
		d->to_natt = true;
		sa->natt = true;
		sa->natt_local_port = d->nport;
		sa->natt_peer_port = d->nport;
		say("NAT detected, floating to port %u", d->nport);
	}
	if (!awaiting(sa))
		d->due[slot(d, sa)] = 0;
	if (before == IKE_INIT_DONE && sa->state != IKE_INIT_DONE)
		half_open(d, 0, sa->spi_i);
	report(d, sa, before);
	emit(d, sa, out, len);
	if (rc || sa->state == IKE_FAILED) {
		say_at(0, "failed: %s (notify %u)", sa->why ? sa->why : "?", sa->notify);
		if (sa->initiator && (before == IKE_INIT_SENT || before == IKE_AUTH_SENT) &&
		    !d->stay)
			return 2;
		return d->once ? 2 : 0;
	}
	if (d->once && sa->state == IKE_ESTABLISHED && before != IKE_ESTABLISHED)
		return 1;
	if (sa == d->sa && sa->state == IKE_DELETED && d->initiate && !d->on_demand &&
	    !d->stay)
		return 1;
	return 0;
}

/*
 * Behind a NAT, one byte 0xFF to the peer's NAT-T port every keepalive_s
 * seconds keeps the NAT's mapping for IKE and ESP in UDP (RFC 3948 4);
 * ksad on the other side drops it (in-nat-keepalive).
 */
static void keepalive(struct daemon *d)
{
	static const uint8_t ka = 0xff;
	struct ike_sa *sa = d->sa;

	if (sa->state != IKE_ESTABLISHED || !sa->nat_local || !d->to_natt ||
	    !d->keepalive_s) {
		d->keepalive_due = 0;
		return;
	}
	if (!d->keepalive_due) {
		d->keepalive_due = now_ms() + d->keepalive_s * 1000LL;
		return;
	}
	if (now_ms() < d->keepalive_due)
		return;
	sendto(d->fds[1], &ka, 1, 0, (const struct sockaddr *)&d->to, d->to_len);
	d->keepalive_due = now_ms() + d->keepalive_s * 1000LL;
}

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

/*
 * SIGTERM or SIGINT: tell the peer the IKE SA is gone (one Delete, no
 * waiting for the answer), take our CHILD SAs, their policies and our
 * bypass and trap policies out of ksad, as charon does when it stops.
 */
static void shut_down(struct daemon *d)
{
	struct ike_sa *sa = d->sa;
	uint8_t out[4096];
	size_t len = 0;

	say("stopping: deleting the IKE SA and everything it keyed");
	/* (with a request of ours outstanding, the window is full: no Delete) */
	if (sa->state == IKE_ESTABLISHED &&
	    !ike_sa_request(sa, IKE_REQ_DELETE_IKE, out, sizeof(out), &len))
		emit(d, sa, out, len);
	if (sa->state == IKE_ESTABLISHED || sa->state == IKE_REKEYED)
		ike_sa_dead(sa);
	if (d->old)
		ike_sa_dead(d->old);
	ike_ksad_cleanup(d->ks);
}

/* Send a request on the current IKE SA; 0, -EBUSY or -EINVAL. */
static int request(struct daemon *d, enum ike_req what)
{
	struct ike_sa *sa = d->sa;
	enum ike_state before = sa->state;
	uint8_t out[4096];
	size_t len;
	int rc;

	rc = ike_sa_request(sa, what, out, sizeof(out), &len);
	report(d, sa, before);
	emit(d, sa, out, len);
	return rc;
}

/*
 * ksad's notifications: ACQUIRE (a packet for our trap policy and no SA:
 * negotiate), soft EXPIRE of the CHILD SA (rekey it before it is gone),
 * hard EXPIRE (ksad removed the SA: tell the peer to delete the pair).
 */
static void kernel_event(struct daemon *d)
{
	struct ike_kevent ev;
	struct ike_sa *sa = d->sa;
	char l[80], r[80];
	int slot;

	if (ike_ksad_event(d->ks, &ev) || ev.type == IKE_KEV_NONE)
		return;
	if (ev.type == IKE_KEV_ACQUIRE) {
		if (ev.reqid != d->cfg.reqid || !d->on_demand ||
		    (sa->state != IKE_IDLE && sa->state != IKE_DELETED &&
		     sa->state != IKE_FAILED))
			return;
		if (ev.has_sel)
			say("ACQUIRE for reqid %u: a packet %s -> %s wants the CHILD SA; initiating",
			    ev.reqid, ike_ts_str(&ev.pkt_local, l, sizeof(l)),
			    ike_ts_str(&ev.pkt_remote, r, sizeof(r)));
		else
			say("ACQUIRE for reqid %u: a packet wants the CHILD SA; initiating",
			    ev.reqid);
		if (start(d)) {
			say("cannot initiate: %s", d->sa->why);
			return;
		}
		/* its selectors go first in IKE_AUTH's TS payloads (2.9) */
		d->sa->pkt_ts = ev.has_sel;
		d->sa->pkt_local = ev.pkt_local;
		d->sa->pkt_remote = ev.pkt_remote;
		return;
	}
	slot = sa->state == IKE_ESTABLISHED ?
	       ike_sa_child_by_spi(sa, ev.spi, ev.dir == KSAD_DIR_IN) : -1;
	if (slot < 0)
		return;	/* an old SA of a rekey, or not ours */
	say("%s EXPIRE of SA 0x%08x: %s", ev.hard ? "hard" : "soft", ev.spi,
	    ev.hard ? "deleting the CHILD SA" : "rekeying the CHILD SA");
	d->todo = ev.hard ? IKE_REQ_DELETE_CHILD : IKE_REQ_REKEY_CHILD;
	d->todo_spi = sa->child[slot].spi_in;
	d->todo_due = now_ms();
}

/* Run the request EXPIRE asked for, now or (busy, or refused) a bit later. */
static void do_todo(struct daemon *d)
{
	struct ike_sa *sa = d->sa;
	int rc;

	if (!d->todo || now_ms() < d->todo_due)
		return;
	sa->target = sa->state == IKE_ESTABLISHED ?
		     ike_sa_child_by_spi(sa, d->todo_spi, true) : -1;
	if (sa->target < 0) {
		sa->target = 0;
		d->todo = IKE_REQ_NONE;	/* done, or overtaken (a rekey by the peer) */
		return;
	}
	rc = request(d, d->todo);
	sa->target = 0;
	if (rc == -EBUSY || (!rc && d->todo == IKE_REQ_REKEY_CHILD)) {
		/* look again in 1 to 3 s: done if the rekey replaced the SA */
		d->todo_due = now_ms() + 1000 + random() % 2000;
		if (rc)
			return;
	}
	if (!rc && d->todo == IKE_REQ_DELETE_CHILD)
		d->todo = IKE_REQ_NONE;
}

/*
 * The connection a datagram is for: the one whose IKE SA has its SPIs, or
 * for a new IKE_SA_INIT request the first whose peer has its source address.
 */
static struct daemon *route(struct daemon *conns, int n, const uint8_t *in, size_t len,
			    const struct sockaddr_storage *from)
{
	uint64_t spi_i = 0, spi_r = 0;
	struct ike_addr fa;
	int c, s;
	size_t i;

	if (n == 1)
		return conns;
	if (len < IKE_HDR_LEN)
		return NULL;
	for (i = 0; i < 8; i++) {
		spi_i = spi_i << 8 | in[i];
		spi_r = spi_r << 8 | in[8 + i];
	}
	for (c = 0; c < n; c++)
		for (s = 0; s < 2; s++) {
			const struct ike_sa *sa = &conns[c].sas[s];

			if (sa->state != IKE_IDLE && sa->spi_i == spi_i &&
			    (sa->spi_r == spi_r || !spi_r || !sa->spi_r))
				return &conns[c];
		}
	if (in[18] != IKE_SA_INIT || (in[19] & IKE_FLAG_RESPONSE) || spi_r)
		return NULL;
	to_ike_addr(from, &fa);
	for (c = 0; c < n; c++)
		if (conns[c].cfg.remote.family == fa.family &&
		    !memcmp(conns[c].cfg.remote.a, fa.a, fa.family == AF_INET ? 4 : 16))
			return &conns[c];
	return NULL;
}

/* What the command line gave (NULL: not given); the file fills the rest. */
struct args {
	const char *local, *remote, *psk, *lts, *rts, *ike, *esp, *mode;
	const char *id, *remote_id;
	bool ike_given, esp_given, initiate, on_demand;
	uint32_t reqid, lifetime;
	uint16_t port, rport;
};

/* Connection @d from the command line @a and the file's @conf (or NULL). */
static int conn_setup(struct daemon *d, const struct args *a, struct ike_conf *conf)
{
	struct ike_cfg *cfg = &d->cfg;
	const char *local = a->local, *remote = a->remote, *lts = a->lts, *rts = a->rts;
	const char *ike = a->ike, *esp = a->esp, *mode = a->mode;
	bool psk_from_conf = false;

	cfg->mode = 2;
	cfg->reqid = a->reqid;
	cfg->lifetime = a->lifetime;
	d->initiate = a->initiate;
	d->on_demand = a->on_demand;
	if (a->id)
		snprintf(cfg->local_id, sizeof(cfg->local_id), "%s", a->id);
	if (a->remote_id)
		snprintf(cfg->remote_id, sizeof(cfg->remote_id), "%s", a->remote_id);
	if (conf) {
		/* the file's settings where the command line gave none */
		snprintf(d->name, sizeof(d->name), "%s", conf->name);
		local = local ? local : conf->local_addrs[0] ? conf->local_addrs : NULL;
		remote = remote ? remote : conf->remote_addrs[0] ? conf->remote_addrs : NULL;
		ike = a->ike_given ? ike : conf->proposals[0] ? conf->proposals : ike;
		esp = a->esp_given ? esp : conf->esp_proposals[0] ? conf->esp_proposals : esp;
		lts = lts ? lts : conf->local_ts[0] ? conf->local_ts : NULL;
		rts = rts ? rts : conf->remote_ts[0] ? conf->remote_ts : NULL;
		mode = mode ? mode : conf->mode[0] ? conf->mode : NULL;
		if (!cfg->local_id[0])
			snprintf(cfg->local_id, sizeof(cfg->local_id), "%s", conf->local_id);
		if (!cfg->remote_id[0])
			snprintf(cfg->remote_id, sizeof(cfg->remote_id), "%s", conf->remote_id);
		if (!strcmp(conf->start_action, "start"))
			d->initiate = true;
		else if (!strcmp(conf->start_action, "trap"))
			d->on_demand = true;
		else if (conf->start_action[0] && strcmp(conf->start_action, "none"))
			return die("start_action is none, start or trap, not %s", conf->start_action);
		if (conf->life_time[0] && !cfg->lifetime) {
			long t = ike_conf_seconds(conf->life_time);

			if (t <= 0 || t > 0xffffffffL)
				return die("bad life_time %s", conf->life_time);
			cfg->lifetime = (uint32_t)t;
		}
		psk_from_conf = !a->psk && conf->secret[0];
	}
	if (mode) {
		if (strcmp(mode, "tunnel") && strcmp(mode, "transport"))
			return die("mode is tunnel or transport, not %s", mode);
		cfg->mode = mode[1] == 'r' ? 1 : 2;
	}
	if (!local || !remote || (!a->psk && !psk_from_conf)) {
		fputs(usage, stderr);
		return die("%s", "--local, --remote and --psk-file (or a config file with them) are required");
	}
	if (parse_addr(local, &cfg->local, a->port) || parse_addr(remote, &cfg->remote, a->rport) ||
	    cfg->local.family != cfg->remote.family)
		return die("%s", "bad --local or --remote address");
	if (parse_suites(ike, true, cfg))
		return die("bad --ike proposals: %s", ike);
	if (parse_suites(esp, false, cfg))
		return die("bad --esp proposals: %s", esp);
	if (parse_ts(lts ? lts : local, &cfg->local_ts) || parse_ts(rts ? rts : remote, &cfg->remote_ts))
		return die("%s", "bad --local-ts or --remote-ts");
	if (!cfg->local_id[0])
		snprintf(cfg->local_id, sizeof(cfg->local_id), "%s", local);
	if (psk_from_conf) {
		size_t n = strlen(conf->secret);

		if (n > sizeof(cfg->psk))
			return die("%s", "the secret in the config file is too long");
		memcpy(cfg->psk, conf->secret, n);
		cfg->psk_len = n;
	} else if (read_psk(a->psk, cfg)) {
		return 2;
	}
	if (conf)
		OPENSSL_cleanse(conf->secret, sizeof(conf->secret));
	cfg->trap = d->on_demand;
	cfg->cookie_version = 1;
	if (RAND_bytes(cfg->cookie_secret, sizeof(cfg->cookie_secret)) != 1)
		return die("%s", "no randomness for the COOKIE secret");
	return 0;
}

/* Its own ksad sockets, bypass and trap policies; 0 or an exit code. */
static int conn_open(struct daemon *d, bool dry, bool bypass)
{
	struct ike_ksad *ks = &d->ks_store;

	ks->dry = dry;
	ks->trace = tracing ? stdout : NULL;
	ks->role = d->initiate || d->on_demand ? 'I' : 'R';
	d->ks = ks;
	if (ike_ksad_open(ks))
		return die("%s", "ksad is not loaded (or no CAP_NET_ADMIN)");
	if (bypass && ike_ksad_bypass_ike(ks, &d->cfg))
		return die("%s", "could not add the bypass policies for IKE");
	d->k = ike_ksad_ops;
	d->k.ctx = ks;
	d->sa = &d->sas[0];
	d->efd = ike_ksad_listen(ks);
	if (!ks->dry && d->efd < 0)
		return die("%s", "cannot listen to ksad's ACQUIRE and EXPIRE");
	if (d->on_demand && ike_ksad_trap(ks, &d->cfg))
		return die("%s", "could not add the trap policy");
	return 0;
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
		{ "natt-port", 1, NULL, 'N' }, { "ctl", 1, NULL, 'C' },
		{ "on-demand", 0, NULL, 'D' }, { "lifetime", 1, NULL, 'F' },
		{ "cookie-threshold", 1, NULL, 'K' }, { "keepalive", 1, NULL, 'A' },
		{ "config", 1, NULL, 'c' }, { "conn", 1, NULL, 'n' + 256 },
		{ "log", 1, NULL, 'g' },
		{ "trace", 0, NULL, 't' }, { "once", 0, NULL, 'o' },
		{ "no-kernel", 0, NULL, 'n' }, { NULL, 0, NULL, 0 },
	};
	static struct daemon conns[MAX_CONNS];
	static struct ike_conf confs[MAX_CONNS];
	static uint8_t in[65536];
	struct args a = {
		.ike = "aes256gcm16-prfsha256-ecp256,aes128-sha256-modp2048",
		.esp = "aes128gcm16,aes256gcm16,chacha20poly1305,aes128-sha256",
		.reqid = 1, .port = 500, .rport = 500,
	};
	const char *ctl = NULL, *conf_file = NULL, *conn = NULL;
	int c, i, n_conns = 1, lfd = -1, fds[2], cookie_threshold = 10, keepalive_s = 20;
	bool once = false, dry = false, per_conn = false;
	uint16_t nport = 4500;
	struct sockaddr_storage ss;
	struct ike_addr nat_local;
	socklen_t slen;

	if (argc >= 4 && argc <= 7 && !strcmp(argv[1], "ctl")) {
		char cmd[160];

		snprintf(cmd, sizeof(cmd), "%s %s %s %s", argv[3], argc > 4 ? argv[4] : "",
			 argc > 5 ? argv[5] : "", argc > 6 ? argv[6] : "");
		return ctl_client(argv[2], cmd);
	}
	if (argc == 2 && !strcmp(argv[1], "columns"))
		return ike_columns(stdin, stdout);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		/* the options of one connection (with several, the file has them) */
		per_conn |= strchr("lripImLTkeDRq", c) != NULL;
		switch (c) {
		case 'l': a.local = optarg; break;
		case 'r': a.remote = optarg; break;
		case 'i': a.id = optarg; break;
		case 'R': a.remote_id = optarg; break;
		case 'p': a.psk = optarg; break;
		case 'I': a.initiate = true; break;
		case 'm': a.mode = optarg; break;
		case 'c': conf_file = optarg; break;
		case 'n' + 256: conn = optarg; break;
		case 'L': a.lts = optarg; break;
		case 'T': a.rts = optarg; break;
		case 'q': a.reqid = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'k': a.ike = optarg; a.ike_given = true; break;
		case 'e': a.esp = optarg; a.esp_given = true; break;
		case 'P': a.port = (uint16_t)atoi(optarg); break;
		case 'Q': a.rport = (uint16_t)atoi(optarg); break;
		case 'N': nport = (uint16_t)atoi(optarg); break;
		case 'C': ctl = optarg; break;
		case 'D': a.on_demand = true; break;
		case 'K': cookie_threshold = atoi(optarg); break;
		case 'A': keepalive_s = atoi(optarg); break;
		case 'g': log_level = atoi(optarg); break;
		case 'F': a.lifetime = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 't': tracing = true; break;
		case 'o': once = true; break;
		case 'n': dry = true; break;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (conf_file) {
		/* --conn NAME: that one; without it, every connection in the file */
		n_conns = load_conf(conf_file, conn, confs, MAX_CONNS);
		if (n_conns < 0)
			return 2;
		if (n_conns > 1 && (per_conn || once))
			return die("%s holds %d connections: give their settings there, not as options",
				   conf_file, n_conns);
	}
	srandom((unsigned int)now_ms() ^ (unsigned int)getpid());
	for (i = 0; i < n_conns; i++) {
		struct daemon *d = &conns[i];

		d->stay = n_conns > 1;
		d->once = once;
		d->nport = nport;
		d->cookie_threshold = cookie_threshold;
		d->keepalive_s = keepalive_s;
		/* each connection's CHILD SAs have reqids of their own */
		c = conn_setup(d, &a, conf_file ? &confs[i] : NULL);
		if (c)
			return c;
		d->cfg.reqid += (uint32_t)(i * IKE_MAX_CHILDREN);
		if (i && (d->cfg.local.family != conns[0].cfg.local.family ||
			  memcmp(d->cfg.local.a, conns[0].cfg.local.a, sizeof(d->cfg.local.a))))
			return die("connection %s: all connections share local_addrs (%s has other)",
				   d->name, conns[0].name);
	}
	for (i = 0; i < n_conns; i++) {
		bool bypass = true;
		int j;

		/* one pair of bypass policies per peer */
		for (j = 0; j < i; j++)
			if (!memcmp(&conns[j].cfg.remote, &conns[i].cfg.remote,
				    sizeof(conns[i].cfg.remote)))
				bypass = false;
		c = conn_open(&conns[i], dry, bypass);
		if (c)
			return c;
	}
	if (ctl && (lfd = ctl_listen(ctl)) < 0)
		return die("cannot listen on %s: %s", ctl, strerror(errno));

	/* IKE on the IKE port, and behind the non-ESP marker on the NAT-T port */
	nat_local = conns[0].cfg.local;
	nat_local.port = nport;
	for (c = 0; c < 2; c++) {
		fds[c] = socket(nat_local.family, SOCK_DGRAM, 0);
		slen = to_sockaddr(c ? &nat_local : &conns[0].cfg.local, &ss);
		if (fds[c] < 0 || bind(fds[c], (struct sockaddr *)&ss, slen))
			return die("cannot bind UDP port %u: %s", c ? nport : a.port,
				   strerror(errno));
	}
	for (i = 0; i < n_conns; i++) {
		conns[i].fds[0] = fds[0];
		conns[i].fds[1] = fds[1];
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	for (i = 0; i < n_conns; i++) {
		use(&conns[i]);
		if (conns[i].initiate) {
			char peer[INET6_ADDRSTRLEN];

			if (start(&conns[i]))
				return die("cannot start: %s", conns[i].sa->why);
			inet_ntop(conns[i].cfg.remote.family, conns[i].cfg.remote.a, peer,
				  sizeof(peer));
			say("IKE_SA_INIT -> %s", peer);
		}
	}
	for (;;) {
		struct pollfd p[3 + MAX_CONNS] = { { .fd = fds[0], .events = POLLIN },
						   { .fd = fds[1], .events = POLLIN },
						   { .fd = lfd, .events = POLLIN } };
		struct sockaddr_storage from;
		socklen_t flen = sizeof(from);
		long long now = now_ms(), next = now + 1000;
		struct daemon *d;
		bool natt;
		ssize_t n;
		int rc, s;

		for (i = 0; i < n_conns; i++) {
			d = &conns[i];
			p[3 + i].fd = d->efd;
			p[3 + i].events = POLLIN;
			for (s = 0; s < 2; s++)
				if (d->due[s] && d->due[s] < next)
					next = d->due[s];
			if (d->todo && d->todo_due < next)
				next = d->todo_due;
			if (d->keepalive_due && d->keepalive_due < next)
				next = d->keepalive_due;
		}
		rc = poll(p, (nfds_t)(3 + n_conns), next > now ? (int)(next - now) : 0);
		if (stopping) {
			for (i = 0; i < n_conns; i++) {
				use(&conns[i]);
				shut_down(&conns[i]);
			}
			return 0;
		}
		now = now_ms();
		for (i = 0; i < n_conns; i++) {
			d = &conns[i];
			use(d);
			for (s = 0; s < 2; s++)
				if (d->due[s] && d->due[s] <= now && expire(d, &d->sas[s]))
					return 1;
			do_todo(d);
			keepalive(d);
			if (rc > 0 && (p[3 + i].revents & POLLIN))
				kernel_event(d);
		}
		if (rc <= 0)
			continue;
		if (p[2].revents & POLLIN) {
			d = ctl_serve(conns, n_conns, lfd);
			if (d && d->sa->state == IKE_DELETED && d->initiate && !d->on_demand &&
			    !d->stay)
				return 0;
		}
		if (!(p[0].revents & POLLIN) && !(p[1].revents & POLLIN))
			continue;
		natt = !(p[0].revents & POLLIN);
		n = recvfrom(fds[natt], in, sizeof(in), 0, (struct sockaddr *)&from, &flen);
		if (n <= 0)
			continue;
		if (natt) {
			/* IKE after the non-ESP marker (ESP in UDP is ksad's) */
			if (n < 4 + IKE_HDR_LEN || in[0] || in[1] || in[2] || in[3])
				continue;
			n -= 4;
			memmove(in, in + 4, (size_t)n);
		}
		d = route(conns, n_conns, in, (size_t)n, &from);
		if (!d) {
			say_at(2, "a datagram for no connection of ours: dropped");
			continue;
		}
		use(d);
		rc = receive(d, natt, in, (size_t)n, &from, flen);
		if (rc)
			return rc - 1;
	}
}
