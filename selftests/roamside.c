// SPDX-License-Identifier: GPL-2.0
/*
 * roamside: a man-on-the-side for the attack tests.  It sees copies of a
 * client's packets to a server (an interface the client's traffic is
 * mirrored to) and can send packets of its own, but cannot stop or
 * change the originals.  It holds no keys.
 *
 *   roamside -i IF -s SERVER -p PORT -b ADDR [-I MS] [-t SECS] [-R | -S]
 *   roamside -i IF -s SERVER -p PORT -Z [-I MS] [-t SECS]
 *
 * Every MS milliseconds (default 100) it sends the client's newest
 * short-header packet to the server again, at once, from ADDR (a UDP
 * socket of its own): a copy that races the original, which a slower
 * path delays.  Of a UDP GSO burst, which it sees whole, the newest is
 * the last packet.  With -R it relays what the server then sends to ADDR
 * (a PATH_CHALLENGE, among others) on to the client from ADDR; with -S,
 * from the server's own address and port, spoofed through a raw socket.
 * After SECS seconds (default 10) it prints
 *
 *   raced N relayed N sent BYTES received BYTES
 *
 * where BYTES are the UDP payload bytes it sent to the server and got
 * back from it.  IPv4 only, but for -Z.
 *
 * With -Z, SERVER is an IPv6 address, and it races one copy only, the
 * first it sees MS or more after the first copy (the client's first
 * packets after the handshake), from the unspecified address :: and UDP
 * port 0, through a raw socket: a source that only a host on the
 * server's own link can send from, as no router forwards it.  It counts
 * nothing received (the server's answers go to ::, not to it), and ends
 * once it raced, or after SECS with "raced 0".
 */
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <stdbool.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/udp.h>
#include <sys/socket.h>
#include <unistd.h>

#include "roam_util.h"

#define PKT_MAX 65536
/* Linux 6.2's uAPI; older kernels drop such a copy, so only single ones come. */
#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5
#endif

struct side {
	struct sockaddr_in server;
	struct sockaddr_in6 server6;	/* -Z */
	struct sockaddr_in client;	/* learnt from the copies */
	unsigned char newest[PKT_MAX];
	size_t newest_len;
	long raced, relayed;
	unsigned long long sent, received;
};

static int fail(const char *what)
{
	fprintf(stderr, "roamside: %s: %s\n", what, strerror(errno));
	return 1;
}

/*
 * The newest roam packet of a UDP datagram's payload @p, @len bytes: a
 * UDP GSO burst (@gso set) is several roam packets, each @gso bytes but
 * the last, and the newest is the last one.  Kept if it has a short
 * header.
 */
static bool side_keep(struct side *s, const unsigned char *p, size_t len, size_t gso)
{
	size_t at;

	if (!len || !gso)
		return false;
	at = (len - 1) / gso * gso;
	if ((p[at] & 0xc0) != 0x40)
		return false;
	s->newest_len = len - at;
	memcpy(s->newest, p + at, s->newest_len);
	return true;
}

/* An IPv6 copy (-Z): a UDP datagram to the server, @n bytes from @ip6. */
static bool side_copy6(struct side *s, const struct virtio_net_hdr *vh,
		       const unsigned char *p, ssize_t n)
{
	const struct ip6_hdr *ip6 = (const struct ip6_hdr *)p;
	const struct udphdr *uh = (const struct udphdr *)(ip6 + 1);
	size_t len;

	if (n < (ssize_t)(sizeof(*ip6) + sizeof(*uh)) || ip6->ip6_nxt != IPPROTO_UDP ||
	    memcmp(&ip6->ip6_dst, &s->server6.sin6_addr, sizeof(ip6->ip6_dst)) ||
	    uh->dest != s->server6.sin6_port)
		return false;
	len = n - sizeof(*ip6) - sizeof(*uh);
	return side_keep(s, (const unsigned char *)(uh + 1), len,
			 vh->gso_type == VIRTIO_NET_HDR_GSO_UDP_L4 ? vh->gso_size : len);
}

/*
 * A copy of a client packet, an Ethernet frame after its virtio_net_hdr:
 * keep it if it is an IPv4 datagram to the server (with -Z, IPv6).  A
 * UDP GSO burst's UDP length covers its first segment only, or none.
 */
static bool side_copy(struct side *s, const unsigned char *p, ssize_t n)
{
	const struct virtio_net_hdr *vh = (const struct virtio_net_hdr *)p;
	const struct ethhdr *eth = (const struct ethhdr *)(vh + 1);
	const struct iphdr *ip = (const struct iphdr *)(eth + 1);
	const struct udphdr *uh;
	size_t hl, len;

	n -= sizeof(*vh) + sizeof(*eth);
	if (n > 0 && s->server6.sin6_family)
		return eth->h_proto == htons(ETH_P_IPV6) &&
		       side_copy6(s, vh, (const unsigned char *)ip, n);
	if (n < (ssize_t)sizeof(*ip) || eth->h_proto != htons(ETH_P_IP) ||
	    ip->version != 4 || ip->protocol != IPPROTO_UDP)
		return false;
	hl = ip->ihl * 4;
	if (n < (ssize_t)(hl + sizeof(*uh)))
		return false;
	uh = (const struct udphdr *)((const unsigned char *)ip + hl);
	len = n - hl;
	if (ip->daddr != s->server.sin_addr.s_addr || uh->dest != s->server.sin_port ||
	    len <= sizeof(*uh))
		return false;
	len -= sizeof(*uh);
	if (!side_keep(s, (const unsigned char *)(uh + 1), len,
		       vh->gso_type == VIRTIO_NET_HDR_GSO_UDP_L4 ? vh->gso_size : len))
		return false;
	s->client.sin_family = AF_INET;
	s->client.sin_addr.s_addr = ip->saddr;
	s->client.sin_port = uh->source;
	return true;
}

/* The Internet checksum of @len bytes at @p, added to @sum, unfolded. */
static unsigned long side_sum(unsigned long sum, const void *p, size_t len)
{
	const unsigned char *b = p;

	for (; len > 1; b += 2, len -= 2)
		sum += b[0] << 8 | b[1];
	if (len)
		sum += b[0] << 8;
	return sum;
}

/*
 * -Z: the copy @p, @n bytes, to the server from :: port 0, through the
 * raw IPv6 socket @raw.  IPv6 requires the UDP checksum.
 */
static int side_zero(struct side *s, int raw, const unsigned char *p, size_t n)
{
	unsigned char buf[PKT_MAX];
	struct ip6_hdr *ip6 = (struct ip6_hdr *)buf;
	struct udphdr *uh = (struct udphdr *)(ip6 + 1);
	struct sockaddr_in6 to = s->server6;
	unsigned long sum;
	unsigned int pseudo[2];

	if (n > sizeof(buf) - sizeof(*ip6) - sizeof(*uh))
		return -1;
	memset(buf, 0, sizeof(*ip6) + sizeof(*uh));
	ip6->ip6_flow = htonl(6 << 28);
	ip6->ip6_plen = htons(sizeof(*uh) + n);
	ip6->ip6_nxt = IPPROTO_UDP;
	ip6->ip6_hlim = 64;
	ip6->ip6_dst = s->server6.sin6_addr;	/* source: :: */
	uh->dest = s->server6.sin6_port;	/* source port: 0 */
	uh->len = htons(sizeof(*uh) + n);
	memcpy(uh + 1, p, n);
	pseudo[0] = htonl(sizeof(*uh) + n);
	pseudo[1] = htonl(IPPROTO_UDP);
	sum = side_sum(0, &ip6->ip6_src, 2 * sizeof(ip6->ip6_src));
	sum = side_sum(sum, pseudo, sizeof(pseudo));
	sum = side_sum(sum, uh, sizeof(*uh) + n);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	uh->check = htons(~sum & 0xffff ?: 0xffff);
	to.sin6_port = 0;	/* a raw socket's protocol: IPPROTO_RAW's */
	return sendto(raw, buf, sizeof(*ip6) + sizeof(*uh) + n, 0,
		      (struct sockaddr *)&to, sizeof(to)) < 0 ? -1 : 0;
}

/* The server's packet @p, @n bytes, to the client, from the server's address. */
static int side_spoof(struct side *s, int raw, const unsigned char *p, size_t n)
{
	unsigned char buf[PKT_MAX];
	struct iphdr *ip = (struct iphdr *)buf;
	struct udphdr *uh = (struct udphdr *)(ip + 1);

	if (n > sizeof(buf) - sizeof(*ip) - sizeof(*uh))
		return -1;
	memset(buf, 0, sizeof(*ip) + sizeof(*uh));
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->tot_len = htons(sizeof(*ip) + sizeof(*uh) + n);
	ip->saddr = s->server.sin_addr.s_addr;
	ip->daddr = s->client.sin_addr.s_addr;
	uh->source = s->server.sin_port;
	uh->dest = s->client.sin_port;
	uh->len = htons(sizeof(*uh) + n);
	memcpy(uh + 1, p, n);	/* no UDP checksum: 0 is allowed over IPv4 */
	return sendto(raw, buf, sizeof(*ip) + sizeof(*uh) + n, 0,
		      (struct sockaddr *)&s->client, sizeof(s->client)) < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
	const char *ifname = NULL, *server = NULL, *bind_ip = NULL;
	int port = 0, interval = 100, relay = 0, spoof = 0, zero = 0, one = 1, c;
	unsigned short proto = htons(ETH_P_IP);
	struct sockaddr_ll ll = { .sll_family = AF_PACKET };
	struct sockaddr_in me = { .sin_family = AF_INET };
	static unsigned char buf[PKT_MAX];
	static struct side s;
	double secs = 10, end, last = 0;
	int cap, udp = -1, raw = -1;

	while ((c = getopt(argc, argv, "i:s:p:b:I:t:RSZ")) != -1) {
		switch (c) {
		case 'i':
			ifname = optarg;
			break;
		case 's':
			server = optarg;
			break;
		case 'p':
			port = atoi(optarg);
			break;
		case 'b':
			bind_ip = optarg;
			break;
		case 'I':
			interval = atoi(optarg);
			break;
		case 't':
			secs = atof(optarg);
			break;
		case 'R':
			relay = 1;
			break;
		case 'S':
			relay = 1;
			spoof = 1;
			break;
		case 'Z':
			zero = 1;
			break;
		default:
			return 2;
		}
	}
	if (!ifname || !server || !port || (!bind_ip && !zero) || (zero && relay)) {
		fprintf(stderr, "usage: roamside -i IF -s SERVER -p PORT -b ADDR [-I MS] [-t SECS] [-R | -S]\n"
				"       roamside -i IF -s SERVER -p PORT -Z [-I MS] [-t SECS]\n");
		return 2;
	}
	if (zero) {
		s.server6.sin6_family = AF_INET6;
		s.server6.sin6_port = htons(port);
		proto = htons(ETH_P_IPV6);
		if (inet_pton(AF_INET6, server, &s.server6.sin6_addr) != 1) {
			fprintf(stderr, "roamside: bad address\n");
			return 2;
		}
	} else {
		s.server.sin_family = AF_INET;
		s.server.sin_port = htons(port);
		if (inet_pton(AF_INET, server, &s.server.sin_addr) != 1 ||
		    inet_pton(AF_INET, bind_ip, &me.sin_addr) != 1) {
			fprintf(stderr, "roamside: bad address\n");
			return 2;
		}
	}

	cap = socket(AF_PACKET, SOCK_RAW, proto);
	if (cap < 0 || setsockopt(cap, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one)))
		return fail("AF_PACKET socket");
	ll.sll_protocol = proto;
	ll.sll_ifindex = if_nametoindex(ifname);
	if (!ll.sll_ifindex || bind(cap, (struct sockaddr *)&ll, sizeof(ll)))
		return fail(ifname);
	if (zero) {
		/* IPPROTO_RAW: the IPv6 header is ours (IPV6_HDRINCL). */
		raw = socket(AF_INET6, SOCK_RAW, IPPROTO_RAW);
		if (raw < 0)
			return fail("raw socket");
	} else {
		udp = socket(AF_INET, SOCK_DGRAM, 0);
		if (udp < 0 || bind(udp, (struct sockaddr *)&me, sizeof(me)))
			return fail("UDP socket");
	}
	if (spoof) {
		raw = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
		if (raw < 0)
			return fail("raw socket");
	}

	setvbuf(stdout, NULL, _IOLBF, 0);
	end = roam_now() + secs;
	while (roam_now() < end) {
		struct pollfd p[2] = {
			{ .fd = cap, .events = POLLIN },
			{ .fd = udp, .events = POLLIN },
		};
		ssize_t n;

		if (poll(p, 2, 50) < 0)
			return fail("poll");
		if (p[0].revents & POLLIN) {
			n = recv(cap, buf, sizeof(buf), 0);
			/* Race the original at once, as soon as the interval is up. */
			if (n > 0 && zero && !s.raced && side_copy(&s, buf, n)) {
				last = last ?: roam_now();	/* the first copy */
				if (roam_now() - last < interval / 1e3)
					continue;
				/* The newest copy queued: one read late may have lost. */
				while ((n = recv(cap, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
					side_copy(&s, buf, n);
				if (side_zero(&s, raw, s.newest, s.newest_len))
					return fail("sendto server from ::");
				s.raced++;
				s.sent += s.newest_len;
				break;
			} else if (n > 0 && !zero && side_copy(&s, buf, n) &&
				   roam_now() - last >= interval / 1e3) {
				if (sendto(udp, s.newest, s.newest_len, 0,
					   (struct sockaddr *)&s.server, sizeof(s.server)) < 0)
					return fail("sendto server");
				s.raced++;
				s.sent += s.newest_len;
				last = roam_now();
			}
		}
		if (p[1].revents & POLLIN) {
			n = recv(udp, buf, sizeof(buf), 0);
			if (n <= 0)
				continue;
			s.received += n;
			if (!relay || !s.client.sin_port)
				continue;
			if (spoof ? side_spoof(&s, raw, buf, n) :
			    sendto(udp, buf, n, 0, (struct sockaddr *)&s.client,
				   sizeof(s.client)) < 0)
				return fail("relay to the client");
			s.relayed++;
		}
	}
	printf("raced %ld relayed %ld sent %llu received %llu\n", s.raced, s.relayed,
	       s.sent, s.received);
	return 0;
}
