// SPDX-License-Identifier: GPL-2.0
/*
 * roamflood: forged roam packets from random source addresses, through a
 * raw socket, for the flood test.
 *
 *   roamflood -t TARGET -p PORT -n COUNT -s SRCNET
 *             [-k initial|echo|cookie|done|reject|short]
 *             [-c CID] [-i USEC] [-f SRC:SPORT] [-a ADDR]
 *
 * SRCNET is the first two octets of the forged IPv4 sources ("10.77");
 * -f forges one source instead, address and port.  Short packets name a
 * random connection, or CID (hex) when given: a stolen connection ID
 * with a tag that cannot verify.  So do COOKIE_ECHO (echo) with -c, and
 * COOKIE, DONE and REJECT, each of its type's size; TARGET may be a
 * broadcast address.  With -a their frames are an ADDRESSES
 * frame naming ADDR (IPv4 or IPv6), with the highest sequence number: a
 * forged advertisement.
 */
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <sys/random.h>
#include <unistd.h>

#include "roam_util.h"

#define PKT_MAX 1300

int main(int argc, char **argv)
{
	const char *target = NULL, *srcnet = "10.77", *kind = "initial";
	unsigned char pkt[PKT_MAX];
	struct sockaddr_in dst = { .sin_family = AF_INET };
	struct iphdr *ip = (struct iphdr *)pkt;
	struct udphdr *uh = (struct udphdr *)(ip + 1);
	unsigned char *roam = (unsigned char *)(uh + 1);
	unsigned int a, b, len;
	long count = 1000, i;
	unsigned long long cid = 0;
	int port = 0, gap = 0, fd, c, fixed_port = 0;
	const char *fixed = NULL, *adv = NULL;
	struct in6_addr adv_addr = {};
	char src[32], *colon;

	while ((c = getopt(argc, argv, "t:p:n:s:k:c:i:f:a:")) != -1) {
		switch (c) {
		case 't':
			target = optarg;
			break;
		case 'p':
			port = atoi(optarg);
			break;
		case 'n':
			count = atol(optarg);
			break;
		case 's':
			srcnet = optarg;
			break;
		case 'k':
			kind = optarg;
			break;
		case 'c':
			cid = strtoull(optarg, NULL, 16);
			break;
		case 'i':
			gap = atoi(optarg);
			break;
		case 'f':
			fixed = optarg;
			colon = strchr(optarg, ':');
			if (!colon)
				return 2;
			*colon = '\0';
			fixed_port = atoi(colon + 1);
			break;
		case 'a':
			adv = optarg;
			break;
		default:
			return 2;
		}
	}
	if (!target || !port || inet_pton(AF_INET, target, &dst.sin_addr) != 1)
		return 2;
	if (adv) {
		struct sockaddr_roam sa;

		if (roam_addr_parse(&sa, adv, 0))
			return 2;
		adv_addr = sa.sroam_addr;
	}

	fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &(int){1}, sizeof(int))) {
		perror("raw socket");
		return 1;
	}

	for (i = 0; i < count; i++) {
		memset(pkt, 0, sizeof(pkt));
		if (getrandom(roam, 64, 0) != 64)
			return 1;
		a = 1 + (unsigned int)random() % 254;
		b = 1 + (unsigned int)random() % 254;
		snprintf(src, sizeof(src), "%s.%u.%u", srcnet, a, b);
		uh->source = htons(1024 + random() % 60000);
		if (fixed) {
			snprintf(src, sizeof(src), "%s", fixed);
			uh->source = htons(fixed_port);
		}
		if (!strcmp(kind, "initial")) {
			roam[0] = 0x80 | 1;		/* INITIAL */
			roam[1] = 1;			/* version */
			memset(roam + 4, 0, 8);		/* dcid 0 */
			memset(roam + 36, 0, 4);	/* key id 0: no PSK */
			len = 1200;
		} else if (!strcmp(kind, "cookie") || !strcmp(kind, "done") ||
			   !strcmp(kind, "reject")) {
			roam[0] = 0x80 | (kind[0] == 'c' ? 2 : kind[0] == 'd' ? 4 : 5);
			roam[1] = 1;
			len = kind[0] == 'c' ? 94 : kind[0] == 'd' ? 52 : 37;
		} else if (!strcmp(kind, "echo")) {
			roam[0] = 0x80 | 3;		/* COOKIE_ECHO, forged */
			roam[1] = 1;
			len = 110;
			/* The client address in the cookie is the source, so
			 * only the MAC can give the forgery away.
			 */
			memset(roam + 60, 0, 10);
			roam[70] = 0xff;
			roam[71] = 0xff;
			inet_pton(AF_INET, src, roam + 72);
			memcpy(roam + 76, &uh->source, 2);
		} else {
			roam[0] = 0x40;			/* short, random CID */
			for (a = 0; cid && a < 8; a++)	/* or the one given */
				roam[1 + a] = cid >> (56 - 8 * a);
			len = 60;
			if (adv) {			/* after the 13-byte header */
				roam[13] = 0x23;	/* ADDRESSES */
				memset(roam + 14, 0xff, 4);	/* sequence */
				roam[18] = 1;
				memcpy(roam + 19, &adv_addr, 16);
				memset(roam + 35, 0, len - 16 - 35);	/* PADDING */
			}
		}
		for (a = 0; cid && roam[0] & 0x80 && a < 8; a++)	/* dcid */
			roam[4 + a] = cid >> (56 - 8 * a);
		ip->version = 4;
		ip->ihl = 5;
		ip->ttl = 64;
		ip->protocol = IPPROTO_UDP;
		ip->tot_len = htons(sizeof(*ip) + sizeof(*uh) + len);
		inet_pton(AF_INET, src, &ip->saddr);
		ip->daddr = dst.sin_addr.s_addr;
		uh->dest = htons(port);
		uh->len = htons(sizeof(*uh) + len);
		uh->check = 0;		/* allowed for IPv4 */
		if (sendto(fd, pkt, sizeof(*ip) + sizeof(*uh) + len, 0,
			   (struct sockaddr *)&dst, sizeof(dst)) < 0) {
			perror("sendto");
			return 1;
		}
		if (gap)
			usleep(gap);
	}
	return 0;
}
