/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the ksad-ike daemon: one struct daemon per connection, and what
 * the daemon's files share.  main.c starts it (options, config, sockets),
 * loop.c runs it (timers, ksad's events, the poll loop), receive.c takes
 * the peers' datagrams, ctl.c the control socket, udp.c the IKE sockets,
 * log.c what it says.  The IKE SA engine (ikesa.h) knows nothing of this.
 */
#ifndef KSAD_IKE_DAEMON_H
#define KSAD_IKE_DAEMON_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "config.h"
#include "kernel.h"

#define HALF_OPEN_S	30
#define MAX_CONNS	8

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

/* log.c */
extern bool tracing;			/* --trace */
extern int log_level;			/* 0 errors, 1 events, 2 messages too */
extern struct ike_ksad *trace_ks;	/* with --trace: events go to the trace */
int die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void say_at(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define say(...)	say_at(1, __VA_ARGS__)
void log_as(struct daemon *d);
const char *msg_label(const struct ike_sa *sa, const uint8_t *msg);
const char *state_name(enum ike_state s);

/* options.c */
int ike_parse_addr(const char *s, struct ike_addr *a, uint16_t port);
int ike_parse_ts(const char *s, struct ike_ts *ts);
int ike_parse_suites(const char *list, bool ike, struct ike_cfg *cfg);
int ike_read_psk(const char *path, struct ike_cfg *cfg);
int ike_load_conf(const char *path, const char *conn, struct ike_conf *confs, int max);

/* udp.c */
socklen_t to_sockaddr(const struct ike_addr *a, struct sockaddr_storage *ss);
void to_ike_addr(const struct sockaddr_storage *ss, struct ike_addr *a);
uint16_t port_of(const struct sockaddr_storage *ss);
void send_ike(int fd, bool natt, const uint8_t *msg, size_t len,
	      const struct sockaddr_storage *to, socklen_t tolen);
int udp_open(const struct ike_addr *local, uint16_t port, uint16_t nport, int fds[2]);

/* ctl.c */
int ctl_listen(const char *path);
int ctl_client(const char *path, const char *cmd);
struct daemon *ctl_serve(struct daemon *conns, int n_conns, int lfd);

/* loop.c */
long long now_ms(void);
int daemon_slot(const struct daemon *d, const struct ike_sa *sa);
bool daemon_awaiting(const struct ike_sa *sa);
void daemon_emit(struct daemon *d, struct ike_sa *sa, const uint8_t *msg, size_t len);
void daemon_report(struct daemon *d, struct ike_sa *sa, enum ike_state before);
int daemon_start(struct daemon *d);
int daemon_run(struct daemon *conns, int n_conns, int lfd);

/* receive.c */
struct daemon *daemon_route(struct daemon *conns, int n, const uint8_t *in, size_t len,
			    const struct sockaddr_storage *from);
int daemon_receive(struct daemon *d, bool natt, uint8_t *in, size_t n,
		   const struct sockaddr_storage *from, socklen_t flen);

#endif
