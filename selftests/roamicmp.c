// SPDX-License-Identifier: GPL-2.0
/*
 * roamicmp: forged ICMP "fragmentation needed" (IPv4) or "packet too big"
 * (IPv6) errors, from an off-path host, for the PMTU black-hole test.
 *
 *   roamicmp -t TARGET -s SRC -S SPORT -d DST -D DPORT -m MTU [-n COUNT] [-i MS]
 *
 * Sends COUNT (default 1) errors, MS milliseconds apart (default 100),
 * to TARGET, each quoting a UDP datagram SRC:SPORT -> DST:DPORT, as if a
 * router on the way from SRC to DST had dropped it for being larger than
 * MTU.  The errors come from this host's own address: no router's
 * address is needed, since nothing checks who sends them.
 */
#include <arpa/inet.h>
#include <netinet/icmp6.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/ip_icmp.h>
#include <netinet/udp.h>
#include <sys/socket.h>
#include <unistd.h>

#include "roam_util.h"

/* The quoted datagram: a roam short header's worth of payload. */
#define QUOTED_PAYLOAD	16

static unsigned short csum(const void *data, size_t len)
{
	const unsigned char *p = data;
	unsigned long sum = 0;

	for (; len > 1; len -= 2, p += 2)
		sum += p[0] << 8 | p[1];
	if (len)
		sum += p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons(~sum);
}

static void quote_udp(struct udphdr *uh, int sport, int dport)
{
	unsigned char *payload = (unsigned char *)(uh + 1);

	uh->source = htons(sport);
	uh->dest = htons(dport);
	uh->len = htons(sizeof(*uh) + 1200);	/* the size that did not fit */
	uh->check = 0;
	memset(payload, 0, QUOTED_PAYLOAD);
	payload[0] = 0x40;
}

/* ICMP "fragmentation needed" quoting SRC -> DST; returns its length. */
static size_t build4(unsigned char *buf, const char *src, int sport, const char *dst,
		     int dport, int mtu)
{
	struct icmphdr *ic = (struct icmphdr *)buf;
	struct iphdr *ip = (struct iphdr *)(ic + 1);
	struct udphdr *uh = (struct udphdr *)(ip + 1);
	size_t len = sizeof(*ic) + sizeof(*ip) + sizeof(*uh) + QUOTED_PAYLOAD;

	memset(buf, 0, len);
	ic->type = ICMP_DEST_UNREACH;
	ic->code = ICMP_FRAG_NEEDED;
	ic->un.frag.mtu = htons(mtu);
	ip->version = 4;
	ip->ihl = 5;
	ip->tot_len = htons(sizeof(*ip) + sizeof(*uh) + 1200);
	ip->frag_off = htons(IP_DF);
	ip->ttl = 63;
	ip->protocol = IPPROTO_UDP;
	inet_pton(AF_INET, src, &ip->saddr);
	inet_pton(AF_INET, dst, &ip->daddr);
	ip->check = csum(ip, sizeof(*ip));
	quote_udp(uh, sport, dport);
	ic->checksum = csum(buf, len);
	return len;
}

/* ICMPv6 "packet too big" quoting SRC -> DST; the kernel sums it. */
static size_t build6(unsigned char *buf, const char *src, int sport, const char *dst,
		     int dport, int mtu)
{
	struct icmp6_hdr *ic = (struct icmp6_hdr *)buf;
	struct ip6_hdr *ip = (struct ip6_hdr *)(ic + 1);
	struct udphdr *uh = (struct udphdr *)(ip + 1);
	size_t len = sizeof(*ic) + sizeof(*ip) + sizeof(*uh) + QUOTED_PAYLOAD;

	memset(buf, 0, len);
	ic->icmp6_type = ICMP6_PACKET_TOO_BIG;
	ic->icmp6_mtu = htonl(mtu);
	ip->ip6_flow = htonl(6 << 28);
	ip->ip6_plen = htons(sizeof(*uh) + 1200);
	ip->ip6_nxt = IPPROTO_UDP;
	ip->ip6_hlim = 63;
	inet_pton(AF_INET6, src, &ip->ip6_src);
	inet_pton(AF_INET6, dst, &ip->ip6_dst);
	quote_udp(uh, sport, dport);
	return len;
}

int main(int argc, char **argv)
{
	const char *target = NULL, *src = NULL, *dst = NULL;
	int sport = 0, dport = 0, mtu = 0, count = 1, gap = 100, fd, c, i;
	struct sockaddr_storage to = {};
	unsigned char buf[256];
	socklen_t tolen;
	size_t len;

	while ((c = getopt(argc, argv, "t:s:S:d:D:m:n:i:")) != -1) {
		switch (c) {
		case 't':
			target = optarg;
			break;
		case 's':
			src = optarg;
			break;
		case 'S':
			sport = atoi(optarg);
			break;
		case 'd':
			dst = optarg;
			break;
		case 'D':
			dport = atoi(optarg);
			break;
		case 'm':
			mtu = atoi(optarg);
			break;
		case 'n':
			count = atoi(optarg);
			break;
		case 'i':
			gap = atoi(optarg);
			break;
		default:
			return 2;
		}
	}
	if (!target || !src || !dst || !sport || !dport || !mtu) {
		fprintf(stderr, "usage: roamicmp -t TARGET -s SRC -S SPORT -d DST -D DPORT -m MTU [-n COUNT] [-i MS]\n");
		return 2;
	}
	if (strchr(target, ':')) {
		struct sockaddr_in6 *t6 = (struct sockaddr_in6 *)&to;

		t6->sin6_family = AF_INET6;
		inet_pton(AF_INET6, target, &t6->sin6_addr);
		tolen = sizeof(*t6);
		fd = socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6);
		len = build6(buf, src, sport, dst, dport, mtu);
	} else {
		struct sockaddr_in *t4 = (struct sockaddr_in *)&to;

		t4->sin_family = AF_INET;
		inet_pton(AF_INET, target, &t4->sin_addr);
		tolen = sizeof(*t4);
		fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
		len = build4(buf, src, sport, dst, dport, mtu);
	}
	if (fd < 0) {
		perror("roamicmp: raw socket");
		return 1;
	}
	for (i = 0; i < count; i++) {
		if (i)
			usleep(gap * 1000);
		if (sendto(fd, buf, len, 0, (struct sockaddr *)&to, tolen) < 0) {
			perror("roamicmp: sendto");
			return 1;
		}
	}
	printf("sent %d\n", count);
	return 0;
}
