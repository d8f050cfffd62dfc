// SPDX-License-Identifier: GPL-2.0
/*
 * IKE's UDP sockets: the IKE port (500) and the NAT-T port (4500), where
 * IKE comes behind the four-byte non-ESP marker (RFC 3948 2.2) and ESP in
 * UDP is ksad's; and the conversions between socket addresses and the
 * engine's.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"

socklen_t to_sockaddr(const struct ike_addr *a, struct sockaddr_storage *ss)
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
void send_ike(int fd, bool natt, const uint8_t *msg, size_t len,
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

void to_ike_addr(const struct sockaddr_storage *ss, struct ike_addr *a)
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

uint16_t port_of(const struct sockaddr_storage *ss)
{
	return ntohs(ss->ss_family == AF_INET ?
		     ((const struct sockaddr_in *)ss)->sin_port :
		     ((const struct sockaddr_in6 *)ss)->sin6_port);
}

/*
 * @fds[0]: IKE on @local port @port; @fds[1]: behind the non-ESP marker on
 * port @nport.  Return: 0, or -1 (said why).
 */
int udp_open(const struct ike_addr *local, uint16_t port, uint16_t nport, int fds[2])
{
	struct ike_addr at = *local;
	struct sockaddr_storage ss;
	socklen_t slen;
	int c;

	for (c = 0; c < 2; c++) {
		at.port = c ? nport : port;
		fds[c] = socket(at.family, SOCK_DGRAM, 0);
		slen = to_sockaddr(&at, &ss);
		if (fds[c] < 0 || bind(fds[c], (struct sockaddr *)&ss, slen)) {
			die("cannot bind UDP port %u: %s", at.port, strerror(errno));
			return -1;
		}
	}
	return 0;
}
